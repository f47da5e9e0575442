import CLZMA

/// An `lzma_stream` at a stable address, driven in a loop: the one
/// ``StreamTransform`` behind ``XZEncoder`` and ``XZDecoder``, which differ
/// only in how they set the stream up.
class LZMACoder: StreamTransform {
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

    func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        try run(input, action: LZMA_RUN, output: output)
    }

    /// Ends the stream; throws unless liblzma reached its end (a decoder
    /// whose input stopped inside the xz stream).
    func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), action: LZMA_FINISH, output: output)
        guard ended else {
            throw .codec(name, consumed: consumed, expected: "the \(name) stream to continue",
                         found: "end of data inside the \(name) stream (truncated)")
        }
    }

    private func run(
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
