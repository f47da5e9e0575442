/// How to compress a stream: level and worker threads.
public struct CompressionOptions: Hashable, Sendable {
    /// Compression level; nil picks the level libvirt's external program uses by default.
    public var level: Int?
    /// Worker threads for codecs that can use several (gzip, xz, zstd); at least 1.
    public var threads: Int

    /// The most memory a codec may plan for its state and buffers (liblzma's
    /// estimate for xz; zstd's job size follows it). Keeps a conversion's RSS
    /// within 64 MiB: xz at level 3 needs 31 MiB per thread plus its blocks,
    /// so it runs single-threaded under the default.
    public var memoryLimit: UInt64

    public init(level: Int? = nil, threads: Int = 1, memoryLimit: UInt64 = 40 << 20) {
        self.level = level
        self.threads = max(1, threads)
        self.memoryLimit = memoryLimit
    }

    /// The level used for `format`: the given one, or the default of the
    /// program libvirt runs (`gzip -c` 6, `bzip2 -c` 9, `xz -c` 3 as libvirt's
    /// docs suggest, `lzop -c` 3, `zstd -c` 3).
    public func effectiveLevel(for format: CompressionFormat) -> Int {
        if let level { return level }
        switch format {
        case .gzip: return 6
        case .bzip2: return 9
        case .xz: return 3
        case .lzop: return 3
        case .zstd: return 3
        default: return 0
        }
    }

    /// The levels each format accepts.
    public static func levelRange(for format: CompressionFormat) -> ClosedRange<Int> {
        switch format {
        case .gzip: 1...9
        case .bzip2: 1...9
        case .xz: 0...9
        case .lzop: 1...9
        case .zstd: 1...19
        default: 0...0
        }
    }
}
