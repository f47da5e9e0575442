import CLZMA

/// Compresses to xz with liblzma, multithreaded (`lzma_stream_encoder_mt`)
/// when more than one thread is asked for, as `xz -T N` does. CRC-64 check,
/// like the `xz` program.
final class XZEncoder: LZMACoder {
    /// - Parameter blockSize: uncompressed bytes per independently compressed
    ///   block in multithreaded mode; 0 lets liblzma choose (3 x dictionary).
    /// Uses as many of `threads` as fit in `memoryLimit` by liblzma's own
    /// estimate (`lzma_stream_encoder_mt_memusage`), down to one.
    init(level: Int, threads: Int, memoryLimit: UInt64 = .max, blockSize: UInt64 = 0) throws(SaveImageError) {
        super.init(name: "xz")
        let preset = UInt32(clamping: level)
        let status: lzma_ret
        var options = lzma_mt()
        options.preset = preset
        options.check = LZMA_CHECK_CRC64
        options.block_size = blockSize
        options.threads = UInt32(clamping: threads)
        while options.threads > 1 && lzma_stream_encoder_mt_memusage(&options) > memoryLimit { options.threads -= 1 }
        if options.threads > 1 {
            status = lzma_stream_encoder_mt(stream, &options)
        } else {
            status = lzma_easy_encoder(stream, preset, LZMA_CHECK_CRC64)
        }
        try LZMACoder.checkInitialised(status)
    }
}
