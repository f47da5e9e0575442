import CZlib

/// Decompresses gzip with zlib, reading concatenated members as `gzip -dc`
/// does. Bytes after the last member that do not start another member are
/// counted in ``trailingBytes`` and ignored.
public final class GzipDecoder: StreamTransform {
    private let stream: UnsafeMutablePointer<z_stream>
    private let buffer = CodecBuffer(capacity: 256 * 1024)
    private var consumed: UInt64 = 0
    private var inMember = false
    private var sawMember = false
    /// Bytes after the last gzip member that were ignored.
    public private(set) var trailingBytes: UInt64 = 0

    public init() throws(SaveImageError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: gzip wrapper only, 32 KiB window.
        guard inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw .codec("gzip", consumed: 0, expected: "zlib to initialise", found: "inflateInit2 failed")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        guard var next = input.baseAddress else { return }
        var remaining = input.count
        while remaining > 0 {
            if trailingBytes > 0 || (!inMember && sawMember && next.load(as: UInt8.self) != 0x1f) {
                trailingBytes += UInt64(remaining)
                return
            }
            if !inMember {
                if sawMember { inflateReset(stream) }
                inMember = true
                sawMember = true
            }
            let chunk = min(remaining, Int(UInt32.max / 2))
            stream.pointee.next_in = UnsafeMutablePointer(mutating: next.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = UInt32(chunk)
            var status: Int32 = Z_OK
            repeat {
                stream.pointee.next_out = buffer.base.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = UInt32(buffer.count)
                status = inflate(stream, Z_NO_FLUSH)
                let produced = buffer.count - Int(stream.pointee.avail_out)
                if produced > 0 { try output(buffer.prefix(produced)) }
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                    let used = chunk - Int(stream.pointee.avail_in)
                    throw .codec("gzip", consumed: consumed + UInt64(used), found: zlibMessage(status))
                }
            } while status == Z_OK && (stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0)
            let used = chunk - Int(stream.pointee.avail_in)
            consumed += UInt64(used)
            next += used
            remaining -= used
            if status == Z_STREAM_END { inMember = false }
        }
    }

    public func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        if inMember || !sawMember {
            throw .codec("gzip", consumed: consumed, expected: "the gzip stream to continue",
                         found: sawMember ? "end of data inside a gzip member (truncated)" : "no gzip data")
        }
    }

    private func zlibMessage(_ status: Int32) -> String {
        let text = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
        return "corrupt gzip data (\(text))"
    }
}
