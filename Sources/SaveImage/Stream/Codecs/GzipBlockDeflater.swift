import CZlib
import Dispatch

/// One block of the parallel gzip encoder's ring: its input (preceded by up
/// to 32 KiB of the previous block's input, the dictionary), and once a
/// worker has compressed it, its raw deflate data, CRC-32 and status.
///
/// Ownership passes by semaphores, never shared at once: the encoder's thread
/// fills the input and hands the block to a worker; the worker writes the
/// result and signals ``done``; the encoder's thread then writes the output
/// and may refill the block.
final class DeflateBlock: @unchecked Sendable {
    /// Dictionary bytes followed by the block's own input.
    let input: CodecBuffer
    let output: CodecBuffer
    /// How many of `input`'s first bytes are the dictionary.
    var dictionaryLength = 0
    /// Bytes of `input` in use (dictionary included).
    var filled = 0
    /// Whether this block ends the deflate stream (`Z_FINISH`).
    var last = false
    var produced = 0
    var crc: UInt = 0
    var failure: String?
    /// Signalled by the worker when the result is ready.
    let done = DispatchSemaphore(value: 0)

    init(blockSize: Int, outputCapacity: Int) {
        input = CodecBuffer(capacity: GzipBlockDeflater.dictionarySize + blockSize)
        output = CodecBuffer(capacity: outputCapacity)
    }

    /// The block's own input (without the dictionary).
    var payload: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: input.base + dictionaryLength, count: filled - dictionaryLength)
    }

    /// Starts a new block whose dictionary is the last 32 KiB of `previous`'s input (none for the first).
    func reset(after previous: DeflateBlock?) {
        dictionaryLength = 0
        if let previous {
            let payload = previous.payload
            let keep = min(payload.count, GzipBlockDeflater.dictionarySize)
            if keep > 0 {
                input.base.copyMemory(from: payload.baseAddress.unsafelyUnwrapped + (payload.count - keep), byteCount: keep)
            }
            dictionaryLength = keep
        }
        filled = dictionaryLength
        last = false
        produced = 0
        failure = nil
    }
}

/// A reusable raw-deflate state (one per worker thread) that compresses one
/// ``DeflateBlock`` at a time, as pigz does: level as given, memLevel 8,
/// `Z_DEFAULT_STRATEGY`, a 32 KiB window primed with the previous block's
/// tail, and each block ending on a byte boundary so the blocks' outputs
/// concatenate into one deflate stream.
final class GzipBlockDeflater: @unchecked Sendable {
    static let dictionarySize = 32 * 1024

    private let stream: UnsafeMutablePointer<z_stream>

    init(level: Int32) throws(SaveImageError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits -15: raw deflate (the gzip header and trailer are written once, by the encoder).
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

    /// The most output one block of `blockSize` bytes can produce, with room for the byte-aligning end.
    func outputBound(blockSize: Int) -> Int {
        Int(deflateBound(stream, UInt(blockSize))) + 64
    }

    /// Compresses `block`'s payload into its output and sets its CRC-32, or its failure.
    func compress(_ block: DeflateBlock) {
        let payload = block.payload
        block.crc = crc32(0, payload.baseAddress?.assumingMemoryBound(to: Bytef.self), UInt32(payload.count))
        deflateReset(stream)
        if block.dictionaryLength > 0 {
            deflateSetDictionary(stream, block.input.base.assumingMemoryBound(to: Bytef.self), UInt32(block.dictionaryLength))
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: payload.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = UInt32(payload.count)
        stream.pointee.next_out = block.output.base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(block.output.count)
        if block.last {
            let status = deflate(stream, Z_FINISH)
            if status != Z_STREAM_END { block.failure = "deflate(Z_FINISH) returned \(status)" }
        } else {
            endOnByteBoundary(block)
        }
        if block.failure == nil && (stream.pointee.avail_in != 0 || stream.pointee.avail_out == 0) {
            block.failure = "deflate left \(stream.pointee.avail_in) input bytes, \(stream.pointee.avail_out) output bytes free"
        }
        block.produced = block.output.count - Int(stream.pointee.avail_out)
    }

    /// Ends the block's deflate data on a byte boundary with the fewest bits:
    /// `Z_BLOCK` ends the last deflate block without padding; an odd number of
    /// leftover bits needs a sync marker (`Z_SYNC_FLUSH`, an empty stored
    /// block), an even number is padded with empty fixed-code blocks (10 bits
    /// each: BFINAL 0, BTYPE 01, end-of-block code 0000000).
    private func endOnByteBoundary(_ block: DeflateBlock) {
        var status = deflate(stream, Z_BLOCK)
        guard status == Z_OK else {
            block.failure = "deflate(Z_BLOCK) returned \(status)"
            return
        }
        var bits: Int32 = 0
        deflatePending(stream, nil, &bits)
        if bits & 1 != 0 {
            status = deflate(stream, Z_SYNC_FLUSH)
        } else if bits & 7 != 0 {
            while bits & 7 != 0 {
                status = deflatePrime(stream, 10, 2)
                if status != Z_OK { break }
                deflatePending(stream, nil, &bits)
            }
            // Pushes the now whole bytes out; zlib answers Z_BUF_ERROR when there is nothing more to do.
            if status == Z_OK { status = deflate(stream, Z_BLOCK) }
        }
        var pending: UInt32 = 0
        deflatePending(stream, &pending, &bits)
        if (status != Z_OK && status != Z_BUF_ERROR) || pending != 0 || bits != 0 {
            block.failure = "deflate could not end the block on a byte boundary (status \(status), \(pending) bytes and \(bits) bits pending)"
        }
    }
}
