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
    /// program libvirt runs (``StreamFormat/defaultLevel``).
    public func effectiveLevel(for format: CompressionFormat) -> Int {
        level ?? StreamFormat.named(format)?.defaultLevel ?? 0
    }
}
