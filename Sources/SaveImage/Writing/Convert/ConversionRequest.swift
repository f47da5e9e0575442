/// What `saveimg convert` should produce.
public struct ConversionRequest: Hashable, Sendable {
    /// The stream format to write.
    public var format: CompressionFormat
    /// Level and threads for the encoder.
    public var options: CompressionOptions
    /// The header byte order to write; nil keeps the input's.
    public var byteOrder: ByteOrder?
    /// The header version to write (1 or 2); nil keeps the input's.
    public var version: UInt32?
    /// Replace an existing output that is not the input (`--force`). Without
    /// it an existing unrelated output is refused, so a typo cannot destroy a file.
    public var replaceExisting: Bool

    public init(format: CompressionFormat, options: CompressionOptions = CompressionOptions(),
                byteOrder: ByteOrder? = nil, version: UInt32? = nil, replaceExisting: Bool = false) {
        self.format = format
        self.options = options
        self.byteOrder = byteOrder
        self.version = version
        self.replaceExisting = replaceExisting
    }
}

/// What a conversion did, for `--json`.
public struct ConversionSummary: Hashable, Sendable, Codable {
    public var input: String
    public var output: String
    public var fromFormat: String
    public var toFormat: String
    /// Whether the stream was copied unchanged (same format, no level given).
    public var streamCopied: Bool
    public var inputBytes: UInt64
    public var outputBytes: UInt64
    /// Size of the raw QEMU stream (decompressed).
    public var rawStreamBytes: UInt64
    /// Size of the stream as written.
    public var outputStreamBytes: UInt64
}

/// Progress of a running conversion: input stream bytes read of the total.
public struct ConversionProgress: Sendable {
    public var done: UInt64
    public var total: UInt64
}
