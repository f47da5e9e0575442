import CZlib

/// Decompresses just the beginning of a gzip stream with zlib: enough to
/// read the QEMU prelude without touching the rest of the file.
enum GzipPeek {
    /// Inflates `compressed` (the stream's first bytes) and returns up to
    /// `limit` decompressed bytes, or nil if zlib rejects the data before
    /// producing any output.
    static func decompressPrefix(_ compressed: [UInt8], limit: Int) -> [UInt8]? {
        var stream = z_stream()
        // 15 + 16: gzip wrapper, 32 KiB window.
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {  // bounded: constants
            return nil
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: limit)
        var input = compressed
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)  // bounded: the peek input, at most 1 MiB (StreamPeek.inputLength)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)  // bounded: limit, a small constant
                let status = inflate(&stream, Z_SYNC_FLUSH)
                guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else { return 0 }
                return outBuffer.count - Int(stream.avail_out)  // bounded: avail_out <= outBuffer.count
            }
        }
        return produced > 0 ? Array(output.prefix(produced)) : nil
    }
}
