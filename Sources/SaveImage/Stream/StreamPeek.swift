/// Decompresses just the beginning of a compressed stream, enough to read
/// the QEMU prelude without touching the rest of the file.
enum StreamPeek {
    /// How many compressed bytes the reader hands over for a stream in
    /// `format`: enough for the first decompressed bytes. bzip2 only produces
    /// output once its first block (up to 900 kB raw) is complete; zstd once
    /// its first block (up to 128 KiB raw) is.
    static func inputLength(for signature: StreamSignature) -> Int {
        switch signature {
        case .bzip2: 1 << 20
        case .zstd: 256 * 1024  // bounded: constant
        default: 64 * 1024  // bounded: constant
        }
    }

    /// Decodes `compressed` (the stream's first bytes) with the decoder for
    /// `format` and returns up to `limit` decompressed bytes, or nil if the
    /// decoder produced nothing. Errors past the first output (the input is
    /// cut short on purpose) are ignored.
    static func decompressPrefix(_ compressed: [UInt8], format: CompressionFormat, limit: Int) -> [UInt8]? {
        guard format != .raw, format != .lzop, let decoder = try? StreamCodec.decoder(for: format) else { return nil }
        var produced: [UInt8] = []
        let enough = SaveImageError(.badStream, path: "", field: "peek", expected: "", found: "")
        compressed.withUnsafeBytes { raw in
            try? decoder.process(raw) { (chunk) throws(SaveImageError) in
                produced += chunk.prefix(limit - produced.count)  // bounded: produced.count < limit (stopped at limit)
                if produced.count >= limit { throw enough }
            }
        }
        return produced.isEmpty ? nil : produced
    }
}
