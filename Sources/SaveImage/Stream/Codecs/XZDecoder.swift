import CLZMA

/// Decompresses xz with liblzma, reading concatenated streams as `xz -dc` does.
final class XZDecoder: StreamTransform {
    private let coder: LZMACoder

    public init() throws(SaveImageError) {
        coder = LZMACoder(name: "xz")
        let status = lzma_stream_decoder(coder.stream, UInt64.max, 0x08 /* LZMA_CONCATENATED */)
        try LZMACoder.checkInitialised(status)
    }

    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        try coder.run(input, action: LZMA_RUN, output: output)
    }

    public func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        try coder.run(UnsafeRawBufferPointer(start: nil, count: 0), action: LZMA_FINISH, output: output)
        guard coder.ended else {
            throw .codec("xz", consumed: coder.consumed, expected: "the xz stream to continue",
                         found: "end of data inside the xz stream (truncated)")
        }
    }
}
