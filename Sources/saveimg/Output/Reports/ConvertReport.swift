import SaveImage

/// `convert --json`: what was written.
struct ConvertReport: Encodable {
    var file: String
    var output: String
    var fromFormat: String
    var toFormat: String
    /// Whether the stream was copied unchanged (same format, no level given).
    var streamCopied: Bool
    /// FILE's size in bytes (`file_size`, as inspect and scan say it).
    var fileSize: UInt64
    /// OUT's size in bytes.
    var outputSize: UInt64
    var rawStreamBytes: UInt64
    var outputStreamBytes: UInt64

    init(_ summary: ConversionSummary) {
        file = summary.input
        output = summary.output
        fromFormat = summary.fromFormat
        toFormat = summary.toFormat
        streamCopied = summary.streamCopied
        fileSize = summary.inputBytes
        outputSize = summary.outputBytes
        rawStreamBytes = summary.rawStreamBytes
        outputStreamBytes = summary.outputStreamBytes
    }
}
