import FoundationEssentials

/// Encodes a report as stable, pretty JSON with snake_case keys and sorted keys.
func jsonString(_ value: some Encodable, pretty: Bool = true) throws -> String {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    return String(decoding: data, as: UTF8.self)
}

/// Several JSON reports as one document: the object itself for one report,
/// an array for any other number.
func jsonDocument(_ reports: [String]) -> String {
    reports.count == 1 ? reports[0] : "[\n" + reports.joined(separator: ",\n") + "\n]"
}
