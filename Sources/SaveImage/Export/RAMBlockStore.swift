#if canImport(Glibc)
import Glibc
#endif

/// The RAM blocks of a stream as one sparse scratch file, block after block
/// (each at a page-aligned offset), written as the walk delivers pages and
/// read back once the guest-physical map is known (it depends on device
/// state that comes after the RAM). Zero pages are holes. The file is
/// created 0600 beside the output and unlinked at once: nothing is left
/// behind, whatever ends the process.
final class RAMBlockStore {
    let file: PositionalFile
    let blocks: [MigrationStreamSummary.RAMBlock]
    /// Each block's offset in the file.
    let offsets: [UInt64]
    /// Pages written with data, per block (a zero page sent later must then be written as zeros).
    private var written: [[UInt64]]
    /// A run of consecutive pages not yet written.
    private var run: [UInt8] = []
    private var runStart: UInt64 = 0
    private var runBlock = -1
    /// Bytes of non-zero pages written.
    private(set) var dataBytes: UInt64 = 0
    private(set) var zeroPages: UInt64 = 0
    private static let runLimit = 1 << 20

    /// Creates the scratch file in `directory` (named after `name`) and unlinks it.
    init(directory: String, name: String, blocks: [MigrationStreamSummary.RAMBlock]) throws(SaveImageError) {
        var offsets: [UInt64] = []
        var next: UInt64 = 0
        var written: [[UInt64]] = []
        for block in blocks {
            offsets.append(next)
            let pages = try Checked.roundUp(block.size, to: 4096, Self.source(block.name)) / 4096
            next = try Checked.add(next, pages * 4096, Self.source(block.name))  // bounded: pages * 4096 is the rounded-up size
            written.append([UInt64](repeating: 0, count: try Checked.int((pages + 63) / 64, Self.source(block.name))))  // bounded: pages < 2^52
        }
        self.blocks = blocks
        self.offsets = offsets
        self.written = written
        var attempt = 0
        while true {
            let path = directory + "/." + name + ".saveimg-export-\(getpid())-\(attempt).ram"  // bounded: string concatenation
            if let created = try PositionalFile.createExclusively(path, permissions: 0o600, reportedAs: path) {
                unlink(path)
                file = created
                break
            }
            attempt += 1  // bounded: a few attempts at most
            if attempt > 100 {
                throw SaveImageError(.io, path: path, field: "scratch file", expected: "a free name", found: "100 taken")
            }
        }
    }

    /// A full page of block `block` at `address` (checked by the walker against the block's size).
    func page(block: Int, address: UInt64, content: UnsafeRawBufferPointer) throws(SaveImageError) {
        if Self.isZero(content) {
            try zeroPage(block: block, address: address)
            return
        }
        mark(block, address, true)
        if runBlock != block || runStart + UInt64(run.count) != address || run.count >= Self.runLimit {  // bounded: in-memory run
            try flush()
            runBlock = block
            runStart = address
        }
        run.append(contentsOf: content)
        dataBytes += UInt64(content.count)  // bounded: bytes of the stream
    }

    /// A page filled with `fill`.
    func filled(block: Int, address: UInt64, fill: UInt8) throws(SaveImageError) {
        if fill == 0 {
            try zeroPage(block: block, address: address)
            return
        }
        let bytes = [UInt8](repeating: fill, count: 4096)
        try StreamCursor.withBytes(of: bytes, 0..<bytes.count) { (raw) throws(SaveImageError) in
            try page(block: block, address: address, content: raw)
        }
    }

    private func zeroPage(block: Int, address: UInt64) throws(SaveImageError) {
        zeroPages += 1  // bounded: pages of the stream
        guard isMarked(block, address) else { return }
        // Sent before with data: this later copy wins.
        try flush()
        mark(block, address, false)
        try file.write([UInt8](repeating: 0, count: 4096), at: offsets[block] + address)  // bounded: address < block size (walker)
    }

    /// Writes the pending run.
    func flush() throws(SaveImageError) {
        guard !run.isEmpty, runBlock >= 0 else { return }
        try file.write(run, at: offsets[runBlock] + runStart)  // bounded: runStart < block size (walker)
        run.removeAll(keepingCapacity: true)
    }

    /// Counts `count` bytes copied in by another path (``SparseRAMCopy``).
    func addData(_ count: UInt64) { dataBytes += count }  // bounded: bytes of the image

    /// `count` bytes of block `block` from `offset` (zeros past what was written).
    func read(block: Int, offset: UInt64, count: Int) throws(SaveImageError) -> [UInt8] {
        try flush()
        // Not file.read(at:count:): it stops at the size the file had when opened (0 for this one).
        var bytes = [UInt8](repeating: 0, count: count)
        let result: Result<Int, SaveImageError> = bytes.withUnsafeMutableBytes { raw in
            do throws(SaveImageError) { return .success(try file.read(into: raw, at: offsets[block] + offset)) } catch {  // bounded: offset within the block (callers)
                return .failure(error)
            }
        }
        _ = try result.get()  // a short read leaves zeros: the rest is a hole
        return bytes
    }

    /// The block called `name`, if any.
    func index(of name: String) -> Int? { blocks.firstIndex { $0.name == name } }

    private func mark(_ block: Int, _ address: UInt64, _ on: Bool) {
        let page = Int(address / 4096)  // bounded: address < block size, an in-memory bitmap covers it
        if on { written[block][page / 64] |= 1 << UInt64(page % 64) } else { written[block][page / 64] &= ~(1 << UInt64(page % 64)) }
    }

    private func isMarked(_ block: Int, _ address: UInt64) -> Bool {
        let page = Int(address / 4096)  // bounded: address < block size
        return written[block][page / 64] & (1 << UInt64(page % 64)) != 0
    }

    static func isZero(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress, let first = bytes.first else { return true }
        return first == 0 && memcmp(base, base + 1, bytes.count - 1) == 0  // bounded: count >= 1 here
    }

    private static func source(_ field: String) -> Checked.Source { Checked.Source(path: "", field: "RAM block " + field) }
}
