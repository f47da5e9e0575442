/// Replaces the `<cpu>` of a stored domain XML while keeping every other
/// byte: libvirt formats the domain with the top-level `<cpu>` on lines
/// indented by two spaces, so the element's lines are swapped for the new
/// CPU formatted the same way. The result is parsed and compared with the
/// intended tree; if the text was not laid out as expected, the whole
/// domain is formatted libvirt-style instead.
enum DomainXMLSplice {
    static func replacingCPU(
        in bytes: [UInt8], parsed domain: XMLElement, with cpu: XMLElement, path: String
    ) throws(SaveImageError) -> [UInt8] {
        let intended = domain.replacingCPU(with: cpu)
        if let spliced = splice(bytes, cpu: Array(cpu.formatted(indent: 1).utf8)),
           let reparsed = try? XMLParser.parse(spliced, name: "domain_definition"),
           reparsed.withoutBlankText() == intended.withoutBlankText() {
            return spliced
        }
        return Array(intended.formatted().utf8)
    }

    /// The bytes with the lines from `\n  <cpu` to the matching `  </cpu>\n`
    /// (or a self-closing `<cpu .../>` line) replaced by `cpu`; nil when there
    /// is no such top-level element.
    static func splice(_ bytes: [UInt8], cpu: [UInt8]) -> [UInt8]? {
        let open = Array("\n  <cpu".utf8)
        guard let start = find(open, in: bytes, from: 0).map({ $0 + 1 }) else { return nil }
        let afterName = start + open.count - 1
        guard afterName < bytes.count, [0x20, 0x3e, 0x2f, 0x0a].contains(bytes[afterName]) else { return nil }
        guard let tagEnd = bytes[afterName...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
        var end: Int
        if bytes[tagEnd - 1] == UInt8(ascii: "/") {
            end = tagEnd + 1
        } else {
            guard let close = find(Array("\n  </cpu>".utf8), in: bytes, from: tagEnd) else { return nil }
            end = close + "\n  </cpu>".utf8.count
        }
        if end < bytes.count, bytes[end] == 0x0a { end += 1 }
        return Array(bytes[..<start]) + cpu + Array(bytes[end...])
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = from
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0], Array(haystack[index..<index + needle.count]) == needle { return index }
            index += 1
        }
        return nil
    }
}
