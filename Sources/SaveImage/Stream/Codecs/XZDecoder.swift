import CLZMA

/// Decompresses xz with liblzma, reading concatenated streams as `xz -dc` does.
final class XZDecoder: LZMACoder {
    init() throws(SaveImageError) {
        super.init(name: "xz")
        let status = lzma_stream_decoder(stream, UInt64.max, 0x08 /* LZMA_CONCATENATED */)
        try LZMACoder.checkInitialised(status)
    }
}
