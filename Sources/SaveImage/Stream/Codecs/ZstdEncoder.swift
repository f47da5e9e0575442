import CZstd

/// Compresses to zstd with libzstd, with `ZSTD_c_nbWorkers` worker threads
/// when more than one thread is asked for (as `zstd -T N`).
final class ZstdEncoder: StreamTransform {
    private let context: OpaquePointer
    /// 1 MiB rather than ZSTD_CStreamOutSize() (128 KiB): fewer calls and writes per finished job.
    private let buffer = CodecBuffer(capacity: max(ZSTD_CStreamOutSize(), 1 << 20))
    private var consumed: UInt64 = 0

    /// - Parameter jobSize: bytes per worker job (0: libzstd's default, 4 x window);
    ///   smaller jobs bound the workers' buffers.
    public init(level: Int, threads: Int, jobSize: Int = 0) throws(SaveImageError) {
        guard let context = ZSTD_createCCtx() else {
            throw .codec("zstd", consumed: 0, expected: "libzstd to initialise", found: "ZSTD_createCCtx failed")
        }
        self.context = context
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(clamping: level))
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        if threads > 1 {
            // Fails harmlessly (single-threaded) on a libzstd built without ZSTD_MULTITHREAD.
            _ = ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, Int32(clamping: threads))
            if jobSize > 0 { _ = ZSTD_CCtx_setParameter(context, ZSTD_c_jobSize, Int32(clamping: jobSize)) }
        }
    }

    deinit { ZSTD_freeCCtx(context) }

    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        try run(input, directive: ZSTD_e_continue, output: output)
    }

    public func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), directive: ZSTD_e_end, output: output)
    }

    private func run(
        _ input: UnsafeRawBufferPointer, directive: ZSTD_EndDirective,
        output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            var outBuffer = ZSTD_outBuffer(dst: buffer.base, size: buffer.count, pos: 0)
            let remaining = ZSTD_compressStream2(context, &outBuffer, &inBuffer, directive)
            if ZSTD_isError(remaining) != 0 {
                throw .codec("zstd", consumed: consumed, expected: "compression to succeed",
                             found: String(cString: ZSTD_getErrorName(remaining)))
            }
            if outBuffer.pos > 0 { try output(buffer.prefix(outBuffer.pos)) }
            let done = directive == ZSTD_e_end ? remaining == 0 : inBuffer.pos == inBuffer.size
            if done { break }
        }
        consumed += UInt64(input.count)
    }
}
