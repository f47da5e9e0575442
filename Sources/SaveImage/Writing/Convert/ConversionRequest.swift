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
    /// Replace an existing output that is not the input (`convert --overwrite`). Without
    /// it an existing unrelated output is refused, so a typo cannot destroy a file.
    public var replaceExisting: Bool
    /// Write the output with direct I/O from a second thread, overlapping the
    /// disk with the codec and bypassing the page cache (``ReplacementFile/writeAppendsBehind()``);
    /// false (`--no-direct-io`) writes through the page cache on the codec's thread.
    /// Where the file system refuses direct I/O the output is written the ordinary way either way.
    public var directIO: Bool

    public init(format: CompressionFormat, options: CompressionOptions = CompressionOptions(),
                byteOrder: ByteOrder? = nil, version: UInt32? = nil, replaceExisting: Bool = false,
                directIO: Bool = true) {
        self.format = format
        self.options = options
        self.byteOrder = byteOrder
        self.version = version
        self.replaceExisting = replaceExisting
        self.directIO = directIO
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
