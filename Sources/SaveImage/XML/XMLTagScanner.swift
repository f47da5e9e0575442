// bounded-file: every index is into the in-memory XML bytes and compared with their count before use; counts are Int and at most 16 MiB (the parser limit)
/// A tag found by ``XMLTagScanner``: where it sits in the document's bytes,
/// its name and its attributes (with their byte ranges), so an edit can
/// change one attribute or element and keep every other byte.
struct XMLTag: Sendable {
    enum Kind: Sendable { case start, end, empty }

    /// One attribute of a start or empty-element tag.
    struct Attribute: Sendable {
        var name: String
        /// The whitespace before the name through the closing quote.
        var range: Range<Int>
        /// The value between the quotes, as stored (entities not expanded).
        var valueRange: Range<Int>
    }

    var kind: Kind
    var name: String
    /// From `<` through `>`.
    var range: Range<Int>
    var attributes: [Attribute]
    /// Where a new attribute goes: before `>` or `/>`.
    var attributesEnd: Int
    /// Names of the open elements enclosing this tag, outermost first.
    var ancestors: [String]

    func attribute(_ name: String) -> Attribute? { attributes.first { $0.name == name } }
}

/// A lexical scan of an XML document's tags, byte for byte, skipping
/// comments, processing instructions, CDATA and DOCTYPE. It checks only what
/// it needs (quoted attribute values, terminated constructs, balanced tags)
/// and returns nil otherwise; callers parse the result with ``XMLParser``
/// before trusting it.
enum XMLTagScanner {
    static func tags(in bytes: [UInt8]) -> [XMLTag]? {
        var tags: [XMLTag] = []
        var open: [String] = []
        var index = 0
        let count = bytes.count
        func starts(_ text: String, at position: Int) -> Bool {
            let pattern = Array(text.utf8)
            guard position + pattern.count <= count else { return false }
            return bytes[position..<position + pattern.count].elementsEqual(pattern)
        }
        func find(_ text: String, from position: Int) -> Int? {
            let pattern = Array(text.utf8)
            var at = position
            while at + pattern.count <= count {
                if bytes[at] == pattern[0], bytes[at..<at + pattern.count].elementsEqual(pattern) { return at }
                at += 1
            }
            return nil
        }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0a || byte == 0x09 || byte == 0x0d }
        func isNameEnd(_ byte: UInt8) -> Bool { isSpace(byte) || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=") }

        while index < count {
            guard bytes[index] == UInt8(ascii: "<") else { index += 1; continue }
            let start = index
            if starts("<!--", at: index) {
                guard let end = find("-->", from: index + 4) else { return nil }
                index = end + 3
            } else if starts("<![CDATA[", at: index) {
                guard let end = find("]]>", from: index + 9) else { return nil }
                index = end + 3
            } else if starts("<?", at: index) {
                guard let end = find("?>", from: index + 2) else { return nil }
                index = end + 2
            } else if starts("<!", at: index) {
                guard let close = find(">", from: index) else { return nil }
                if let bracket = find("[", from: index), bracket < close {
                    guard let end = find("]", from: bracket), let after = find(">", from: end) else { return nil }
                    index = after + 1
                } else {
                    index = close + 1
                }
            } else if starts("</", at: index) {
                var at = index + 2
                while at < count, !isNameEnd(bytes[at]) { at += 1 }
                let name = String(decoding: bytes[(index + 2)..<at], as: UTF8.self)
                guard let close = find(">", from: at) else { return nil }
                guard open.last == name else { return nil }
                open.removeLast()
                tags.append(XMLTag(kind: .end, name: name, range: start..<(close + 1), attributes: [],
                                   attributesEnd: at, ancestors: open))
                index = close + 1
            } else {
                var at = index + 1
                while at < count, !isNameEnd(bytes[at]) { at += 1 }
                guard at > index + 1 else { return nil }
                let name = String(decoding: bytes[(index + 1)..<at], as: UTF8.self)
                var attributes: [XMLTag.Attribute] = []
                var kind: XMLTag.Kind?
                var attributesEnd = at
                while at < count {
                    let attributeStart = at
                    while at < count, isSpace(bytes[at]) { at += 1 }
                    guard at < count else { return nil }
                    if bytes[at] == UInt8(ascii: ">") { attributesEnd = attributeStart; kind = .start; at += 1; break }
                    if starts("/>", at: at) { attributesEnd = attributeStart; kind = .empty; at += 2; break }
                    guard at > attributeStart else { return nil }
                    let nameStart = at
                    while at < count, !isNameEnd(bytes[at]) { at += 1 }
                    let attributeName = String(decoding: bytes[nameStart..<at], as: UTF8.self)
                    while at < count, isSpace(bytes[at]) { at += 1 }
                    guard at < count, bytes[at] == UInt8(ascii: "="), !attributeName.isEmpty else { return nil }
                    at += 1
                    while at < count, isSpace(bytes[at]) { at += 1 }
                    guard at < count, bytes[at] == UInt8(ascii: "'") || bytes[at] == UInt8(ascii: "\"") else { return nil }
                    let quote = bytes[at]
                    let valueStart = at + 1
                    guard let valueEnd = bytes[valueStart...].firstIndex(of: quote) else { return nil }
                    at = valueEnd + 1
                    attributes.append(XMLTag.Attribute(name: attributeName, range: attributeStart..<at,
                                                       valueRange: valueStart..<valueEnd))
                }
                guard let kind else { return nil }
                tags.append(XMLTag(kind: kind, name: name, range: start..<at, attributes: attributes,
                                   attributesEnd: attributesEnd, ancestors: open))
                if kind == .start { open.append(name) }
                index = at
            }
        }
        return open.isEmpty ? tags : nil
    }
}
