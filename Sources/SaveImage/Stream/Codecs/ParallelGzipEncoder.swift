import CZlib
import Dispatch
import Synchronization

/// Compresses to gzip with zlib on several threads, in the manner of pigz:
/// the input is cut into 128 KiB blocks, each block is deflated on its own
/// (primed with the previous 32 KiB as dictionary, so the ratio matches a
/// single-threaded gzip) and ends on a byte boundary (`Z_SYNC_FLUSH`); the
/// blocks' raw deflate data are concatenated into **one** gzip member whose
/// CRC-32 is combined from the blocks' CRCs (`crc32_combine`). The result is
/// an ordinary gzip file: `gzip -dc` reads it.
///
/// Memory: a batch of `blocksPerBatch` blocks in and out (8 MiB each) plus
/// one zlib state per thread, whatever the stream's size. Large batches keep
/// both threads busy between the batch boundaries (on a loaded machine a
/// woken thread can wait milliseconds for a CPU).
public final class ParallelGzipEncoder: StreamTransform {
    static let blockSize = 128 * 1024
    static let dictionarySize = 32 * 1024
    static let blocksPerBatch = 64

    private let level: Int32
    private let threads: Int
    private let batchInput: CodecBuffer
    private var filled = 0
    private var slots: [DeflateSlot] = []
    private var deflaters: [Deflater] = []
    private var dictionary: [UInt8] = []
    private var crc: UInt = 0
    private var totalLength: UInt64 = 0
    private var wroteHeader = false

    public init(level: Int, threads: Int) throws(SaveImageError) {
        self.level = Int32(level)
        self.threads = max(1, threads)
        batchInput = CodecBuffer(capacity: Self.blockSize * Self.blocksPerBatch)
        for _ in 0..<self.threads { deflaters.append(try Deflater(level: self.level)) }
        let bound = Int(deflateBound(deflaters[0].stream, UInt(Self.blockSize))) + 64
        for _ in 0..<Self.blocksPerBatch { slots.append(DeflateSlot(capacity: bound)) }
        crc = crc32(0, nil, 0)
    }

    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        var offset = 0
        while offset < input.count {
            let take = min(batchInput.count - filled, input.count - offset)
            (batchInput.base + filled).copyMemory(from: input.baseAddress.unsafelyUnwrapped + offset, byteCount: take)
            filled += take
            offset += take
            // Keep a full batch until more input arrives: the stream's last block must end the member.
            if filled == batchInput.count && offset < input.count {
                try compressBatch(final: false, output: output)
            }
        }
    }

    public func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        try compressBatch(final: true, output: output)
        var trailer = [UInt8](repeating: 0, count: 8)
        for i in 0..<4 {
            trailer[i] = UInt8(truncatingIfNeeded: crc >> (8 * i))
            trailer[4 + i] = UInt8(truncatingIfNeeded: totalLength >> (8 * UInt64(i)))
        }
        try emit(trailer, output)
    }

    private func emit(
        _ bytes: [UInt8], _ output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        let copy = CodecBuffer(capacity: bytes.count)
        copy.pointer.copyBytes(from: bytes)
        try output(copy.prefix(bytes.count))
    }

    /// The 10-byte gzip header: deflate, no name, no mtime, OS = Unix.
    static let header: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]

    private func compressBatch(
        final: Bool, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        if !wroteHeader {
            try emit(Self.header, output)
            wroteHeader = true
        }
        let blockCount = max(final ? 1 : 0, (filled + Self.blockSize - 1) / Self.blockSize)
        let jobs = BatchJobs(
            input: UnsafeRawBufferPointer(batchInput.prefix(filled)), blockSize: Self.blockSize,
            blockCount: blockCount, final: final, dictionary: dictionary, slots: slots, deflaters: deflaters)
        let workers = min(threads, blockCount)
        if workers <= 1 {
            for index in 0..<blockCount { jobs.run(index, worker: 0) }
        } else {
            // Workers take blocks in order from a shared counter; this thread is one of them.
            // (DispatchQueue.concurrentPerform ran the iterations on one thread here: measured.)
            let next = Atomic<Int>(0)
            let work: @Sendable (Int) -> Void = { worker in
                while true {
                    let index = next.add(1, ordering: .relaxed).oldValue
                    if index >= blockCount { break }
                    jobs.run(index, worker: worker)
                }
            }
            let group = DispatchGroup()
            for worker in 1..<workers { DispatchQueue.global().async(group: group) { work(worker) } }
            work(0)
            group.wait()
        }
        for index in 0..<blockCount {
            let slot = slots[index]
            if let failure = slot.failure {
                throw .codec("gzip", consumed: totalLength, expected: "deflate to succeed", found: failure)
            }
            try output(slot.output.prefix(slot.produced))
            crc = crc32_combine(crc, slot.crc, off_t(slot.inputLength))
            totalLength &+= UInt64(slot.inputLength)
        }
        let keep = min(filled, Self.dictionarySize)
        dictionary = Array(UnsafeRawBufferPointer(batchInput.prefix(filled))[(filled - keep)...])
        filled = 0
    }
}

/// One batch's blocks, shared read-only by the workers; each worker writes
/// only to the slot of the block it took.
private struct BatchJobs: @unchecked Sendable {
    let input: UnsafeRawBufferPointer
    let blockSize: Int
    let blockCount: Int
    let final: Bool
    let dictionary: [UInt8]
    let slots: [DeflateSlot]
    let deflaters: [Deflater]

    func run(_ index: Int, worker: Int) {
        let start = index * blockSize
        let end = min(input.count, start + blockSize)
        let block = UnsafeRawBufferPointer(rebasing: input[start..<end])
        let last = final && index == blockCount - 1
        if index == 0 {
            dictionary.withUnsafeBytes { deflaters[worker].deflate(block, dictionary: $0, last: last, into: slots[index]) }
        } else {
            let dictStart = max(0, start - ParallelGzipEncoder.dictionarySize)
            deflaters[worker].deflate(block, dictionary: UnsafeRawBufferPointer(rebasing: input[dictStart..<start]),
                                      last: last, into: slots[index])
        }
    }
}

/// One block's result: its deflate output, CRC-32 and length.
private final class DeflateSlot: @unchecked Sendable {
    let output: CodecBuffer
    var produced = 0
    var crc: UInt = 0
    var inputLength = 0
    var failure: String?

    init(capacity: Int) { output = CodecBuffer(capacity: capacity) }
}

/// A reusable raw-deflate state, one per worker thread.
private final class Deflater: @unchecked Sendable {
    let stream: UnsafeMutablePointer<z_stream>

    init(level: Int32) throws(SaveImageError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // -15: raw deflate (the gzip wrapper is written once for the whole stream).
        let status = deflateInit2_(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                                   Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw .codec("gzip", consumed: 0, expected: "zlib to initialise", found: "deflateInit2 returned \(status)")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    func deflate(_ block: UnsafeRawBufferPointer, dictionary: UnsafeRawBufferPointer, last: Bool, into slot: DeflateSlot) {
        slot.failure = nil
        slot.inputLength = block.count
        deflateReset(stream)
        if let base = dictionary.baseAddress, dictionary.count > 0 {
            deflateSetDictionary(stream, base.assumingMemoryBound(to: Bytef.self), UInt32(dictionary.count))
        }
        slot.crc = crc32(0, block.baseAddress?.assumingMemoryBound(to: Bytef.self), UInt32(block.count))
        stream.pointee.next_in = UnsafeMutablePointer(mutating: block.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(block.count)
        stream.pointee.next_out = slot.output.base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(slot.output.count)
        let status = CZlib.deflate(stream, last ? Z_FINISH : Z_SYNC_FLUSH)
        let expected = last ? Z_STREAM_END : Z_OK
        if status != expected || stream.pointee.avail_in != 0 || stream.pointee.avail_out == 0 {
            slot.failure = "deflate returned \(status) with \(stream.pointee.avail_in) bytes left"
        }
        slot.produced = slot.output.count - Int(stream.pointee.avail_out)
    }
}
