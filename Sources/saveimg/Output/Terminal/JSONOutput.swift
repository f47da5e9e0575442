import FoundationEssentials

/// Every `--json` output is JSON Lines: one compact object per line, with
/// snake_case, sorted keys (the shapes are in `schema/saveimg-output.schema.json`).
func jsonLine(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    return String(decoding: data, as: UTF8.self)
}

/// Prints `value` as one JSON line on standard output.
func printJSONLine(_ value: some Encodable) throws {
    print(try jsonLine(value))
}

/// A command with a `--json` flag: the one error exit (``SaveImg/main()``)
/// prints a failed command's error as its JSON line too.
protocol JSONReporting {
    /// Whether `--json` was given.
    var json: Bool { get }
    /// The image the command's line is about (its `file` key).
    var reportedFile: String { get }
}
