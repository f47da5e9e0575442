import CZstd

/// Decompresses zstd with libzstd, reading concatenated frames as `zstd -dc` does.
final class ZstdDecoder: StreamTransform {
    private let context: OpaquePointer
    private let buffer = CodecBuffer(capacity: ZSTD_DStreamOutSize())
    private var consumed: UInt64 = 0
    private var frameOpen = false
    private var sawData = false

    public init() throws(SaveImageError) {
        guard let context = ZSTD_createDCtx() else {
            throw .codec("zstd", consumed: 0, expected: "libzstd to initialise", found: "ZSTD_createDCtx failed")
        }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        guard !input.isEmpty else { return }
        sawData = true
        var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            var outBuffer = ZSTD_outBuffer(dst: buffer.base, size: buffer.count, pos: 0)
            let hint = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
            if ZSTD_isError(hint) != 0 {
                throw .codec("zstd", consumed: consumed + UInt64(inBuffer.pos),
                             found: "corrupt zstd data (\(String(cString: ZSTD_getErrorName(hint))))")
            }
            frameOpen = hint != 0
            if outBuffer.pos > 0 { try output(buffer.prefix(outBuffer.pos)) }
            if inBuffer.pos == inBuffer.size && outBuffer.pos < outBuffer.size { break }
        }
        consumed += UInt64(input.count)
    }

    public func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        if frameOpen || !sawData {
            throw .codec("zstd", consumed: consumed, expected: "the zstd stream to continue",
                         found: sawData ? "end of data inside a zstd frame (truncated)" : "no zstd data")
        }
    }
}
