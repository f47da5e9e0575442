#if canImport(Glibc)
import Glibc
#endif
import CSaveImageShims

/// Writes a mapped-ram ("sparse") stream into a ``ReplacementFile`` while
/// ``MigrationStreamWalker`` walks a sequential stream: it observes the walk,
/// copies every byte that is not RAM (section headers and footers, device
/// state, commands, QEMU_VM_EOF, VM description) in order, and lays the RAM
/// out as QEMU 10 does with the `mapped-ram` capability:
///
/// - the configuration section gets `mapped-ram` in its capabilities;
/// - after each block's list entry, a `MappedRamHeader` (version 1, page
///   size 4096, `bitmap_offset` = the file offset just after the header,
///   `pages_offset` = that plus the bitmap size rounded up to 1 MiB);
///   the next entry follows at `pages_offset + used_length`;
/// - a page goes to `pages_offset + address` and sets its bit; a zero page
///   (ZERO record, or a PAGE record of zeros) is never written: a hole;
/// - RAM sections keep only their RAM_SAVE_FLAG_EOS; the bitmaps are
///   written at the end.
///
/// Memory: the bitmaps (one bit per page), one run of pages (up to 1 MiB)
/// and about 1 MiB of sequential output.
final class MappedRAMWriter: MigrationStreamObserver {
    private struct Slot {
        var pagesOffset: UInt64
        var bitmapOffset: UInt64
        var size: UInt64
        var bitmap: [UInt8]
    }

    private let staged: ReplacementFile
    private var copying = true
    /// Sequential bytes not yet written; they go at ``position``.
    private var pending: [UInt8] = []
    private var position: UInt64
    private var slots: [Slot] = []
    /// Bytes of the bitmaps in ``slots``: at most `MappedRAMLayout.maxBitmapSize`.
    private var bitmapBytes: UInt64 = 0
    private var sawBlockList = false
    private var sawConfiguration = false
    /// A run of consecutive pages waiting to be written.
    private var run: [UInt8] = []
    private var runStart: (block: Int, address: UInt64)?
    /// What was written since writeback was last started (see ``startWriteback(_:_:)``).
    private var unsyncedRange: (start: UInt64, end: UInt64)?
    private var unsyncedBytes: UInt64 = 0
    static let writebackInterval: UInt64 = 8 << 20
    private static let pageSize: UInt64 = 4096
    static let eosFlag: UInt64 = 0x10

    /// - Parameter streamOffset: the file offset where the stream starts (after the data region).
    init(staged: ReplacementFile, streamOffset: UInt64) {
        self.staged = staged
        self.position = streamOffset
        pending.reserveCapacity((1 << 20) + 65536)  // bounded: constants
    }

    /// The tap to install on the walker's cursor.
    func tap(_ bytes: UnsafeRawBufferPointer) throws(SaveImageError) {
        guard copying else { return }
        pending.append(contentsOf: bytes)
        if pending.count >= 1 << 20 { try flushPending() }
    }

    func enter(_ part: MigrationStreamPart, cursor: StreamCursor) throws(SaveImageError) {
        switch part {
        case .configuration, .ramRecords: copying = false
        default: copying = true
        }
        if case .sectionHeader = part, !sawConfiguration {
            throw SaveImageError(.badStream, path: "", offset: cursor.offset, field: "configuration section",
                                 expected: "a configuration section to declare mapped-ram in (QEMU 2.9 and later send one)",
                                 found: "none")
        }
    }

    func configuration(_ configuration: StreamConfiguration) throws(SaveImageError) {
        sawConfiguration = true
        guard !configuration.capabilities.contains("x-ignore-shared") else {
            throw SaveImageError(.badStream, path: "", offset: 8, field: "configuration/capabilities",
                                 expected: "a stream without x-ignore-shared (saveimg reads such streams but does not write them as sparse; no libvirt restores them)",
                                 found: "x-ignore-shared")
        }
        pending.append(contentsOf: configuration.withCapability("mapped-ram", present: true).encoded)
    }

    func ramBlocks(_ blocks: [MigrationStreamSummary.RAMBlock], total: UInt64) throws(SaveImageError) {
        guard !sawBlockList else {
            throw SaveImageError(.badStream, path: "", field: "RAM section", expected: "one block list", found: "a second RAM_SAVE_FLAG_MEM_SIZE")
        }
        sawBlockList = true
        // What the reader (MappedRAMLayout.read) refuses, the writer refuses too:
        // a file saveimg writes is one it reads back.
        guard blocks.count <= MappedRAMLayout.maxBlocks else {
            throw SaveImageError(.badStream, path: "", field: "RAM block list", expected: "at most \(MappedRAMLayout.maxBlocks) blocks",
                                 found: "\(blocks.count)")
        }
        pending.appendInteger(total | MappedRAMLayout.memSizeFlag, .big)
        for block in blocks {
            guard block.size > 0 else {
                throw SaveImageError(.badStream, path: "", field: "RAM block size", expected: "a size above 0",
                                     found: "0 for '\(block.name)'")
            }
            guard block.size % Self.pageSize == 0 else {
                throw SaveImageError(.badStream, path: "", field: "RAM block size", expected: "a multiple of 4096",
                                     found: "\(block.size) for '\(block.name)'")
            }
            // The walker decodes names leniently: a name that was not UTF-8 has
            // U+FFFD for its bad bytes (3 bytes each) and is not the stream's
            // name any more (nor, past 85 bad bytes, one a length byte can hold).
            let name = Array(block.name.utf8)
            guard name.count <= 255, !block.name.unicodeScalars.contains("\u{FFFD}") else {
                throw SaveImageError(.badStream, path: "", field: "RAM block name",
                                     expected: "a RAM block name in UTF-8 of at most 255 bytes (QEMU's idstr)",
                                     found: "'\(block.name)', not valid UTF-8 in the stream")
            }
            // The bitmaps are held in memory until the end: as the reader
            // (MappedRAMLayout.maxBitmapSize), at most 256 MiB of them in all.
            let bitmapSize = MappedRAMBlock.bitmapSize(pages: block.size / Self.pageSize)
            guard bitmapSize <= MappedRAMLayout.maxBitmapSize - bitmapBytes else {  // bounded: bitmapBytes <= maxBitmapSize, kept by this check
                let after = bitmapBytes > 0 ? " after blocks with \(bitmapBytes) bytes of bitmaps" : ""
                throw SaveImageError(.badStream, path: "", field: "RAM block size",
                                     expected: "at most 8 TiB of RAM in all (256 MiB of bitmaps)",
                                     found: "\(block.size) bytes for '\(block.name)'\(after)")
            }
            bitmapBytes += bitmapSize  // bounded: at most maxBitmapSize (checked just above)
            pending.append(UInt8(truncatingIfNeeded: name.count))  // at most 255 (checked above)
            pending.append(contentsOf: name)
            pending.appendInteger(block.size, .big)
            let source = Checked.Source(path: "", field: "RAM block '\(block.name)' size")
            let bitmapOffset = try Checked.add(position, UInt64(pending.count + MappedRAMLayout.headerSize), source)  // bounded: in-memory sizes
            let pagesOffset = try Checked.roundUp(try Checked.add(bitmapOffset, bitmapSize, source),
                                                  to: MappedRAMLayout.alignment, source)
            pending.appendInteger(MappedRAMLayout.headerVersion, .big)
            pending.appendInteger(Self.pageSize, .big)
            pending.appendInteger(bitmapOffset, .big)
            pending.appendInteger(pagesOffset, .big)
            try flushPending()
            position = try Checked.add(pagesOffset, block.size, source)
            slots.append(Slot(pagesOffset: pagesOffset, bitmapOffset: bitmapOffset, size: block.size,
                              bitmap: [UInt8](repeating: 0, count: Int(bitmapSize))))  // bounded: at most maxBitmapSize (checked above)
        }
    }

    func ramPage(block: Int, address: UInt64, content: UnsafeRawBufferPointer) throws(SaveImageError) {
        if content.allSatisfy({ $0 == 0 }) { return try ramFilledPage(block: block, address: address, fill: 0) }
        try place(block: block, address: address) { (run) in run.append(contentsOf: content) }
    }

    func ramFilledPage(block: Int, address: UInt64, fill: UInt8) throws(SaveImageError) {
        if fill != 0 {
            return try place(block: block, address: address) { (run) in
                run.append(contentsOf: repeatElement(fill, count: Int(Self.pageSize)))  // bounded: the 4096 constant
            }
        }
        guard block < slots.count else { throw noBlockList() }
        // The walker checked address < the block's size: page / 8 is inside the
        // block's bitmap, and pagesOffset + address below the Checked.add of
        // pagesOffset + size in ramBlocks.
        let page = address / Self.pageSize
        let byte = Int(page / 8), bit = UInt8(1) << UInt8(truncatingIfNeeded: page % 8)  // bounded: page / 8 < the bitmap's count
        guard slots[block].bitmap[byte] & bit != 0 else { return }  // already a hole
        // A page sent before and now zero: clear its bit and make it a hole again.
        try flushRun()
        slots[block].bitmap[byte] &= ~bit
        let offset = slots[block].pagesOffset + address  // bounded: below pagesOffset + size (see above)
        let punchHole: Int32 = 0x01 | 0x02  // FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE
        if saveimg_fallocate(staged.fd, punchHole, Int64(clamping: offset), Int64(clamping: Self.pageSize)) != 0 {
            try staged.write([UInt8](repeating: 0, count: Int(Self.pageSize)), at: offset)  // bounded: the 4096 constant
        }
    }

    func ramEndOfSection() throws(SaveImageError) {
        pending.appendInteger(Self.eosFlag, .big)
    }

    private func place(block: Int, address: UInt64, _ fill: (inout [UInt8]) -> Void) throws(SaveImageError) {
        guard block < slots.count else { throw noBlockList() }
        let page = address / Self.pageSize  // the walker checked address < the block's size
        slots[block].bitmap[Int(page / 8)] |= UInt8(1) << UInt8(truncatingIfNeeded: page % 8)  // bounded: page / 8 < the bitmap's count
        if let start = runStart, start.block == block, start.address + UInt64(run.count) == address, run.count < 1 << 20 {  // bounded: an address below the block's size (at most 8 TiB: the bitmap cap in ramBlocks) plus at most 1 MiB
            fill(&run)
            return
        }
        try flushRun()
        runStart = (block, address)
        fill(&run)
    }

    private func noBlockList() -> SaveImageError {
        SaveImageError(.badStream, path: "", field: "RAM section", expected: "the block list before pages", found: "a page first")
    }

    private func flushRun() throws(SaveImageError) {
        guard let start = runStart, !run.isEmpty else { return }
        let offset = slots[start.block].pagesOffset + start.address  // bounded: the walker checked address < size; ramBlocks, pagesOffset + size (Checked.add)
        try staged.write(run, at: offset)
        startWriteback(offset, run.count)
        run.removeAll(keepingCapacity: true)
        runStart = nil
    }

    private func flushPending() throws(SaveImageError) {
        guard !pending.isEmpty else { return }
        try staged.write(pending, at: position)
        startWriteback(position, pending.count)
        position = try Checked.add(position, UInt64(pending.count), Checked.Source(path: "", field: "stream position"))
        pending.removeAll(keepingCapacity: true)
    }

    /// Notes `[offset, offset + count)` as written and, once 8 MiB have been
    /// written since the last start, starts writing the range they span to
    /// disk (`sync_file_range` SYNC_FILE_RANGE_WRITE, which does not wait), so
    /// the commit's fsync has less left to do. One call per 8 MiB, not one per
    /// run of pages (14 calls instead of 8,653 on a 118 MB guest). Failure is
    /// harmless: the fsync still writes everything.
    private func startWriteback(_ offset: UInt64, _ count: Int) {
        let end = offset + UInt64(count)  // bounded: a range just written to the file
        unsyncedRange = unsyncedRange.map { (min($0.start, offset), max($0.end, end)) } ?? (offset, end)
        unsyncedBytes += UInt64(count)  // bounded: at most the bytes written to the file
        guard unsyncedBytes >= Self.writebackInterval, let range = unsyncedRange else { return }
        _ = saveimg_start_writeback(staged.fd, Int64(range.start), Int64(range.end - range.start))  // bounded: end >= start
        unsyncedRange = nil
        unsyncedBytes = 0
    }

    /// Writes what is buffered and the bitmaps, and sets the file's size;
    /// returns the file's length.
    func finish() throws(SaveImageError) -> UInt64 {
        try flushRun()
        try flushPending()
        guard sawBlockList else {
            throw SaveImageError(.badStream, path: "", field: "RAM section", expected: "a RAM section with its block list",
                                 found: "none in the stream")
        }
        for slot in slots { try staged.write(slot.bitmap, at: slot.bitmapOffset) }
        try staged.setSize(position)
        return position
    }
}
