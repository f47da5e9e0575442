import CZlib
import Dispatch

/// Compresses to gzip on several threads, as pigz does, with ISA-L's igzip
/// at `--level` 1-6 and zlib at 7-9 (``GzipLevelMapping``): the input
/// is cut into blocks, each block is deflated on its own by a worker thread
/// (primed with the previous 32 KiB as dictionary, so the ratio matches a
/// single-threaded gzip) and ends on a byte boundary; the blocks' raw deflate
/// data are concatenated into **one** gzip member whose CRC-32 is combined
/// from the blocks' CRCs (`crc32_combine`). The result is an ordinary gzip
/// file: `gzip -dc` reads it.
///
/// It is a pipeline: the caller's thread copies input into a ring of blocks
/// and, in stream order, writes each block's output as soon as it is done,
/// while the workers (``DeflateWorkerPool``) each take the next queued block
/// as soon as they are free. Reading, compressing and writing overlap; the
/// caller waits only when the ring is full. Memory: the ring (at most
/// ``maximumBlocksInFlight`` blocks, input and output) plus one zlib state
/// per worker, whatever the stream's size.
final class ParallelGzipEncoder: StreamTransform {
    /// Bytes of input per block. pigz uses 128 KiB; each block re-primes its
    /// 32 KiB dictionary, which ISA-L hashes like input (12% extra work at 256
    /// KiB blocks, 3% at 1 MiB), so blocks are 1 MiB.
    static let blockSize = 1024 * 1024
    /// Blocks queued per worker, so a worker delayed by a loaded machine does
    /// not stall the others (ring of 8 x 1 MiB for two workers: about 18 MiB).
    static let blocksPerWorker = 4
    static let maximumBlocksInFlight = 32

    private let blocks: [DeflateBlock]
    private let pool: DeflateWorkerPool
    /// Sequence number of the block being filled (all below it are queued).
    private var filling = 0
    /// Sequence number of the next block to write.
    private var writing = 0
    private var crc: UInt
    private var totalLength: UInt64 = 0
    private var wroteHeader = false
    private var finished = false

    public init(level: Int, threads: Int) throws(SaveImageError) {
        let ringSize = min(max(1, threads) * Self.blocksPerWorker, Self.maximumBlocksInFlight)
        var deflaters: [any BlockDeflater] = []
        let isalLevel = GzipLevelMapping.isalLevel(forGzipLevel: level)
        for _ in 0..<min(max(1, threads), ringSize) {
            if let isalLevel {
                deflaters.append(try IsalBlockDeflater(level: isalLevel))
            } else {
                deflaters.append(try GzipBlockDeflater(level: Int32(level)))
            }
        }
        let bound = deflaters[0].outputBound(blockSize: Self.blockSize)
        blocks = (0..<ringSize).map { _ in DeflateBlock(blockSize: Self.blockSize, outputCapacity: bound) }
        blocks[0].reset(after: nil)
        pool = try DeflateWorkerPool(deflaters: deflaters, blocks: blocks)
        crc = crc32(0, nil, 0)
    }

    deinit { pool.stop() }

    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        try writeHeaderOnce(output)
        var offset = 0
        while offset < input.count {
            let block = blocks[filling % blocks.count]
            let take = min(Self.blockSize - block.payload.count, input.count - offset)
            (block.input.base + block.filled).copyMemory(from: input.baseAddress.unsafelyUnwrapped + offset, byteCount: take)
            block.filled += take
            offset += take
            if block.payload.count == Self.blockSize { try queueBlock(output) }
        }
        // Write whatever the workers have finished meanwhile, without waiting.
        while writing < filling, try writeNextBlock(waiting: false, output) {}
    }

    public func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        guard !finished else { return }
        try writeHeaderOnce(output)
        // The last block (possibly empty) ends the deflate stream.
        blocks[filling % blocks.count].last = true
        pool.submit(filling)
        filling += 1
        while writing < filling { _ = try writeNextBlock(waiting: true, output) }
        pool.stop()
        finished = true
        var trailer = [UInt8](repeating: 0, count: 8)
        for i in 0..<4 {
            trailer[i] = UInt8(truncatingIfNeeded: crc >> (8 * i))
            trailer[4 + i] = UInt8(truncatingIfNeeded: totalLength >> (8 * UInt64(i)))
        }
        try emit(trailer, output)
    }

    /// Queues the full block being filled and starts the next one, first
    /// writing out (waiting if needed) the block whose place in the ring it takes.
    private func queueBlock(_ output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        pool.submit(filling)
        filling += 1
        while writing <= filling - blocks.count { _ = try writeNextBlock(waiting: true, output) }
        blocks[filling % blocks.count].reset(after: blocks[(filling - 1) % blocks.count])
    }

    /// Writes the oldest queued block's output if it is done (or, `waiting`,
    /// once it is); returns whether it wrote it.
    private func writeNextBlock(
        waiting: Bool, _ output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) -> Bool {
        let block = blocks[writing % blocks.count]
        if waiting {
            block.done.wait()
        } else if block.done.wait(timeout: .now()) != .success {
            return false
        }
        if let failure = block.failure {
            throw .codec("gzip", consumed: totalLength, expected: "deflate to succeed", found: failure)
        }
        try output(block.output.prefix(block.produced))
        let length = block.payload.count
        crc = crc32_combine(crc, block.crc, off_t(length))
        totalLength &+= UInt64(length)
        writing += 1
        return true
    }

    private func writeHeaderOnce(_ output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        if wroteHeader { return }
        wroteHeader = true
        try emit(Self.header, output)
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
}
