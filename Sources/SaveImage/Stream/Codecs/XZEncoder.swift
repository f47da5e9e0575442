import CLZMA

/// Compresses to xz with liblzma, multithreaded (`lzma_stream_encoder_mt`)
/// when more than one thread is asked for, as `xz -T N` does. CRC-64 check,
/// like the `xz` program.
public final class XZEncoder: StreamTransform {
    private let coder: LZMACoder

    /// - Parameter blockSize: uncompressed bytes per independently compressed
    ///   block in multithreaded mode; 0 lets liblzma choose (3 x dictionary).
    /// Uses as many of `threads` as fit in `memoryLimit` by liblzma's own
    /// estimate (`lzma_stream_encoder_mt_memusage`), down to one.
    public init(level: Int, threads: Int, memoryLimit: UInt64 = .max, blockSize: UInt64 = 0) throws(SaveImageError) {
        coder = LZMACoder(name: "xz")
        let preset = UInt32(clamping: level)
        let status: lzma_ret
        var options = lzma_mt()
        options.preset = preset
        options.check = LZMA_CHECK_CRC64
        options.block_size = blockSize
        options.threads = UInt32(clamping: threads)
        while options.threads > 1 && lzma_stream_encoder_mt_memusage(&options) > memoryLimit { options.threads -= 1 }
        if options.threads > 1 {
            status = lzma_stream_encoder_mt(coder.stream, &options)
        } else {
            status = lzma_easy_encoder(coder.stream, preset, LZMA_CHECK_CRC64)
        }
        try LZMACoder.checkInitialised(status)
    }

    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        try coder.run(input, action: LZMA_RUN, output: output)
    }

    public func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        try coder.run(UnsafeRawBufferPointer(start: nil, count: 0), action: LZMA_FINISH, output: output)
    }
}

/// Decompresses xz with liblzma, reading concatenated streams as `xz -dc` does.
public final class XZDecoder: StreamTransform {
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

/// An `lzma_stream` at a stable address, driven in a loop.
final class LZMACoder {
    /// Throws unless a liblzma encoder or decoder set-up call returned `LZMA_OK`.
    static func checkInitialised(_ status: lzma_ret) throws(SaveImageError) {
        guard status == LZMA_OK else {
            throw .codec("xz", consumed: 0, expected: "liblzma to initialise", found: "lzma_ret \(status.rawValue)")
        }
    }

    let name: String
    let stream: UnsafeMutablePointer<lzma_stream>
    let buffer = CodecBuffer(capacity: 256 * 1024)
    private(set) var consumed: UInt64 = 0
    private(set) var ended = false

    init(name: String) {
        self.name = name
        stream = .allocate(capacity: 1)
        // LZMA_STREAM_INIT is all zeros.
        stream.initialize(to: lzma_stream())
    }

    deinit {
        lzma_end(stream)
        stream.deallocate()
    }

    func run(
        _ input: UnsafeRawBufferPointer, action: lzma_action,
        output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        if ended { return }
        stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_in = input.count
        while true {
            stream.pointee.next_out = buffer.base.assumingMemoryBound(to: UInt8.self)
            stream.pointee.avail_out = buffer.count
            let status = lzma_code(stream, action)
            let produced = buffer.count - stream.pointee.avail_out
            consumed = stream.pointee.total_in
            if produced > 0 { try output(buffer.prefix(produced)) }
            switch status {
            case LZMA_OK:
                if action == LZMA_RUN && stream.pointee.avail_in == 0 && produced < buffer.count { return }
            case LZMA_STREAM_END:
                ended = true
                return
            case LZMA_BUF_ERROR where action == LZMA_FINISH:
                throw .codec(name, consumed: consumed, expected: "the \(name) stream to continue",
                             found: "end of data inside the \(name) stream (truncated)")
            default:
                throw .codec(name, consumed: consumed, found: "corrupt \(name) data (lzma_ret \(status.rawValue))")
            }
        }
    }
}
