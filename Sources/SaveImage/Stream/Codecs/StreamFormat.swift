/// How saveimg reads and writes each stream format: one row per
/// ``CompressionFormat``, the one place a format's traits are spelled (the
/// program libvirt runs, the stream's magic, levels, how much compressed
/// input decodes the first bytes, the encoder and decoder, and the first
/// libvirt release that restores it). Adding a format is adding a row here
/// (and its header value in ``CompressionFormat``).
public struct StreamFormat: Sendable {
    /// The header value this row describes.
    public let format: CompressionFormat
    /// The program libvirt pipes the stream through (`PROG -c` to save,
    /// `PROG -dc` to restore); nil when libvirt runs none (raw, sparse).
    public let program: String?
    /// The first bytes of a stream in this format; nil for the formats whose
    /// stream is QEMU's own (`QEVM`): raw and sparse.
    public let magic: [UInt8]?
    /// The level libvirt's program uses by default (`gzip -c` 6, `bzip2 -c`
    /// 9, `xz -c` 3 as libvirt's docs suggest, `lzop -c` 3, `zstd -c` 3).
    public let defaultLevel: Int?
    /// The levels the encoder accepts (nil: no level applies).
    public let levels: ClosedRange<Int>?
    /// Whether the encoder runs worker threads (`--threads`).
    public let usesThreads: Bool
    /// How many compressed bytes are enough to decode the stream's first
    /// 64 KiB: bzip2 produces output only once its first block (up to 900 kB
    /// raw) is complete, zstd once its first block (up to 128 KiB raw) is.
    /// nil: the first bytes are not decoded without the whole stream (lzop
    /// needs the external program; raw and sparse need no decoding).
    public let prefixInputLength: Int?
    /// The first libvirt release that restores this format, as
    /// (major, minor, micro): zstd NEWS v10.4.0, sparse NEWS v11.2.0
    /// (commit fa68f78f13b3); the others since before the save cookie.
    public let firstLibvirtRelease: (major: Int, minor: Int, micro: Int)
    /// Makes the stage that compresses a raw stream into this format.
    let makeEncoder: (@Sendable (_ level: Int, _ options: CompressionOptions) throws(SaveImageError) -> any StreamTransform)?
    /// Makes the stage that decodes this format back into the raw stream.
    let makeDecoder: (@Sendable () throws(SaveImageError) -> any StreamTransform)?

    /// Every format saveimg knows, in header order.
    public static let all: [StreamFormat] = [
        StreamFormat(format: .raw, program: nil, magic: nil, defaultLevel: nil, levels: nil, usesThreads: false,
                     prefixInputLength: nil, firstLibvirtRelease: (0, 0, 0),
                     makeEncoder: { _, _ in PassthroughTransform() }, makeDecoder: { PassthroughTransform() }),
        StreamFormat(format: .gzip, program: "gzip", magic: [0x1f, 0x8b], defaultLevel: 6, levels: 1...9, usesThreads: true,
                     prefixInputLength: 64 * 1024, firstLibvirtRelease: (0, 0, 0),  // bounded: constant
                     makeEncoder: { (level, options) throws(SaveImageError) in
                         try ParallelGzipEncoder(level: level, threads: options.threads)
                     },
                     makeDecoder: { () throws(SaveImageError) in try GzipDecoder() }),
        StreamFormat(format: .bzip2, program: "bzip2", magic: Array("BZh".utf8), defaultLevel: 9, levels: 1...9,
                     usesThreads: false, prefixInputLength: 1 << 20, firstLibvirtRelease: (0, 0, 0),
                     makeEncoder: { (level, _) throws(SaveImageError) in try BZip2Encoder(level: level) },
                     makeDecoder: { () throws(SaveImageError) in try BZip2Decoder() }),
        StreamFormat(format: .xz, program: "xz", magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], defaultLevel: 3, levels: 0...9,
                     usesThreads: true, prefixInputLength: 64 * 1024, firstLibvirtRelease: (0, 0, 0),  // bounded: constant
                     makeEncoder: { (level, options) throws(SaveImageError) in
                         try XZEncoder(level: level, threads: options.threads, memoryLimit: options.memoryLimit)
                     },
                     makeDecoder: { () throws(SaveImageError) in try XZDecoder() }),
        StreamFormat(format: .lzop, program: "lzop", magic: [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a],
                     defaultLevel: 3, levels: 1...9, usesThreads: false, prefixInputLength: nil, firstLibvirtRelease: (0, 0, 0),
                     makeEncoder: { (level, _) throws(SaveImageError) in try LzopFilter(compressingAt: level) },
                     makeDecoder: { () throws(SaveImageError) in try LzopFilter(compressingAt: nil) }),
        // 3 MiB zstd jobs: `zstd -B` showed 2 MiB jobs ~15% slower than 4 MiB or the default (8 MiB at level 3); 4 MiB reached 60 MiB RSS here.
        StreamFormat(format: .zstd, program: "zstd", magic: [0x28, 0xb5, 0x2f, 0xfd], defaultLevel: 3, levels: 1...19,
                     usesThreads: true, prefixInputLength: 256 * 1024, firstLibvirtRelease: (10, 4, 0),  // bounded: constant
                     makeEncoder: { (level, options) throws(SaveImageError) in
                         try ZstdEncoder(level: level, threads: options.threads,
                                         jobSize: options.memoryLimit >= 64 << 20 ? 0 : 3 << 20)
                     },
                     makeDecoder: { () throws(SaveImageError) in try ZstdDecoder() }),
        // Sparse is QEMU's mapped-ram layout, read and written by Stream/MappedRAM, not by a codec.
        StreamFormat(format: .sparse, program: nil, magic: nil, defaultLevel: nil, levels: nil, usesThreads: false,
                     prefixInputLength: nil, firstLibvirtRelease: (11, 2, 0), makeEncoder: nil, makeDecoder: nil),
    ]

    /// The row for `format`, nil for a value saveimg does not know.
    public static func named(_ format: CompressionFormat) -> StreamFormat? { all.first { $0.format == format } }

    /// The row for a libvirt format name (`gzip`, ...).
    public static func named(_ name: String) -> StreamFormat? { all.first { $0.format.name == name } }

    /// The formats a codec reads and writes (every one but sparse).
    public static var codecFormats: [CompressionFormat] { all.filter { $0.makeDecoder != nil }.map(\.format) }

    /// The compressed format whose magic starts `bytes`, if any.
    public static func compressed(startingWith bytes: [UInt8]) -> StreamFormat? {
        all.first { row in row.magic.map { bytes.starts(with: $0) } ?? false }
    }

    /// A stage that turns a raw QEMU stream into `format`.
    public static func encoder(
        for format: CompressionFormat, options: CompressionOptions = CompressionOptions()
    ) throws(SaveImageError) -> any StreamTransform {
        guard let row = named(format), let make = row.makeEncoder else { throw unsupported(format) }
        return try make(options.effectiveLevel(for: format), options)
    }

    /// A stage that turns a `format` stream back into the raw QEMU stream.
    public static func decoder(for format: CompressionFormat) throws(SaveImageError) -> any StreamTransform {
        guard let make = named(format)?.makeDecoder else { throw unsupported(format) }
        return try make()
    }

    /// The error for a format no codec reads: the formats libvirt defines
    /// are expected (sparse is read block by block, not decoded).
    static func unsupported(_ format: CompressionFormat) -> SaveImageError {
        SaveImageError(.badStream, path: "", offset: UInt64(HeaderField.format.offset), field: "format",
                       expected: "one of " + CompressionFormat.known.map(\.description).joined(separator: ", "),
                       found: format.labeled)
    }
}
