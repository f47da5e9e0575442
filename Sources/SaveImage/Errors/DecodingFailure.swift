import FoundationEssentials

/// A JSON document that did not decode, in a person's words: what was wrong
/// and where (`devices[3].name: expected a string, found a number`), never
/// Swift's `DecodingError.dataCorrupted(...)` dump.
enum DecodingFailure {
    /// `error` (from `JSONDecoder`) as the `found` of a ``SaveImageError``.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func place(_ path: [any CodingKey]) -> String {
            var text = ""
            for key in path {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }  // bounded: string concatenation
            }
            return text.isEmpty ? "the document" : text
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // The parser's reason when it gives one, without the Swift type dump around it.
            return "not valid JSON" + (context.underlyingError.map { " (\($0))" } ?? "")
        case .dataCorrupted(let context):
            return "\(place(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(place(context.codingPath + [key])): missing"
        case .typeMismatch(let type, let context):
            return "\(place(context.codingPath)): expected \(Self.name(of: type)), found another type"
        case .valueNotFound(let type, let context):
            return "\(place(context.codingPath)): expected \(Self.name(of: type)), found null"
        @unknown default:
            return "not the expected JSON"
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is UInt32.Type, is UInt64.Type, is Int64.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "an object or array"
        }
    }
}
