/// Picks the encoder or decoder for a header format.
public enum StreamCodec {
    /// The formats saveimg can write and read.
    public static let supported: [CompressionFormat] = [.raw, .gzip, .bzip2, .xz, .lzop, .zstd]

    /// A stage that turns a raw QEMU stream into `format`.
    public static func encoder(
        for format: CompressionFormat, options: CompressionOptions = CompressionOptions()
    ) throws(SaveImageError) -> any StreamTransform {
        let level = options.effectiveLevel(for: format)
        switch format {
        case .raw: return PassthroughTransform()
        case .gzip: return try ParallelGzipEncoder(level: level, threads: options.threads)
        case .bzip2: return try BZip2Encoder(level: level)
        case .xz: return try XZEncoder(level: level, threads: options.threads, memoryLimit: options.memoryLimit)
        case .lzop: return try LzopFilter(compressingAt: level)
        // 3 MiB zstd jobs: `zstd -B` showed 2 MiB jobs ~15% slower than 4 MiB or the default (8 MiB at level 3); 4 MiB reached 60 MiB RSS here.
        case .zstd: return try ZstdEncoder(level: level, threads: options.threads, jobSize: options.memoryLimit >= 64 << 20 ? 0 : 3 << 20)
        default: throw unsupported(format)
        }
    }

    /// A stage that turns a `format` stream back into the raw QEMU stream.
    public static func decoder(for format: CompressionFormat) throws(SaveImageError) -> any StreamTransform {
        switch format {
        case .raw: return PassthroughTransform()
        case .gzip: return try GzipDecoder()
        case .bzip2: return try BZip2Decoder()
        case .xz: return try XZDecoder()
        case .lzop: return try LzopFilter(compressingAt: nil)
        case .zstd: return try ZstdDecoder()
        default: throw unsupported(format)
        }
    }

    static func unsupported(_ format: CompressionFormat) -> SaveImageError {
        SaveImageError(.badStream, path: "", offset: UInt64(HeaderField.format.offset), field: "format",
                       expected: "one of " + supported.map { $0.description }.joined(separator: ", "),
                       found: "\(format) (\(format.rawValue))")
    }
}
