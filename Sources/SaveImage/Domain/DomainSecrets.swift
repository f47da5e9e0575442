// bounded-file: indexes and counters over the in-memory domain XML (at most 16 MiB) and its tag list, each compared with the array bounds before use
/// Finds, hides and keeps the secrets of a domain XML (see ``DomainSecret``)
/// at the byte level: hiding removes exactly the secrets' bytes and keeps
/// every other byte as stored; keeping puts stored secrets back into a new
/// XML that does not set them (so `dumpxml`, edit, `define` does not drop a
/// VNC password that `dumpxml` hid).
public enum DomainSecrets {
    /// The secrets in `bytes`, in document order; nil when the document
    /// cannot be scanned (not well-formed).
    public static func find(in bytes: [UInt8]) -> [DomainSecret]? {
        guard let tags = XMLTagScanner.tags(in: bytes) else { return nil }
        var secrets: [DomainSecret] = []
        var graphicsCount: [String: Int] = [:]
        var diskOrdinal = 0
        for (position, tag) in tags.enumerated() where tag.kind != .end {
            if tag.name == "disk" { diskOrdinal += 1 }
            if tag.name == "graphics" {
                let type = tag.attribute("type").map { String(decoding: bytes[$0.valueRange], as: UTF8.self) } ?? "?"
                graphicsCount[type, default: 0] += 1
                if let passwd = tag.attribute("passwd") {
                    secrets.append(DomainSecret(kind: .graphicsPassword, location: graphicsLocation(type, graphicsCount[type] ?? 1),
                                                range: passwd.range, text: Array(bytes[passwd.range]), indentation: []))
                }
            }
            if tag.name == "cookies", tag.ancestors.last == "source", let location = sourceLocation(tag.ancestors, diskOrdinal) {
                let end = tag.kind == .empty ? tag.range.upperBound : matchingEnd(tags, from: position)
                guard let end else { return nil }
                let (range, indentation) = wholeLines(bytes, tag.range.lowerBound..<end)
                secrets.append(DomainSecret(kind: .diskCookies, location: location, range: range,
                                            text: Array(bytes[tag.range.lowerBound..<end]), indentation: indentation))
            }
        }
        return secrets
    }

    /// `bytes` with every secret removed and every other byte as stored.
    ///
    /// The result is parsed again and checked for secrets; if the document
    /// was laid out in a way the byte-level removal does not handle, the
    /// parsed tree without its secrets is formatted in libvirt's style
    /// instead, so a secret is never returned.
    ///
    /// - Throws: `.malformedXML` when the document cannot be parsed (its
    ///   secrets then cannot be told apart from the rest).
    public static func hiding(in bytes: [UInt8], path: String = "", offset: UInt64? = nil) throws(SaveImageError) -> [UInt8] {
        if let secrets = find(in: bytes) {
            if secrets.isEmpty, let tree = try? XMLParser.parse(bytes, name: "domain XML"), !containsSecret(tree) {
                return bytes
            }
            var result = bytes
            for secret in secrets.reversed() { result.removeSubrange(secret.range) }
            if let tree = try? XMLParser.parse(result, name: "domain XML"), !containsSecret(tree) { return result }
        }
        let tree = try XMLParser.parse(bytes, name: "domain XML", path: path, offset: offset)
        return Array(removingSecrets(tree).formatted().utf8)
    }

    /// What ``keeping(_:in:)`` did.
    public struct Kept: Sendable {
        /// The new XML with the kept secrets put back.
        public var bytes: [UInt8]
        /// Stored secrets put back because the new XML did not set them.
        public var kept: [DomainSecret]
        /// Stored secrets the new XML replaced with its own.
        public var replaced: [DomainSecret]
        /// Stored secrets dropped because their element is gone from the new XML.
        public var dropped: [DomainSecret]
    }

    /// Puts the `stored` secrets back into `new` where it does not set them
    /// (a `<graphics>` of the same type and ordinal without `passwd`, a
    /// disk's `<source>` without `<cookies>`), keeping every other byte of
    /// `new`. A secret the new XML sets itself is its own; one whose element
    /// is gone is dropped. `new` is returned unchanged when it cannot be
    /// scanned (its parse then fails with libxml2's message).
    public static func keeping(_ stored: [DomainSecret], in new: [UInt8]) -> Kept {
        var result = Kept(bytes: new, kept: [], replaced: [], dropped: [])
        guard !stored.isEmpty, let tags = XMLTagScanner.tags(in: new), let present = find(in: new) else { return result }
        let presentLocations = Set(present.map { "\($0.kind)/\($0.location)" })
        var insertions: [(range: Range<Int>, bytes: [UInt8])] = []
        for secret in stored {
            if presentLocations.contains("\(secret.kind)/\(secret.location)") {
                result.replaced.append(secret)
                continue
            }
            guard let insertion = insertion(for: secret, tags: tags, bytes: new) else {
                result.dropped.append(secret)
                continue
            }
            insertions.append(insertion)
            result.kept.append(secret)
        }
        for insertion in insertions.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            result.bytes.replaceSubrange(insertion.range, with: insertion.bytes)
        }
        return result
    }

    // MARK: - Helpers

    static func graphicsLocation(_ type: String, _ ordinal: Int) -> String {
        let name = ["vnc": "VNC", "spice": "SPICE", "rdp": "RDP"][type] ?? type
        return ordinal == 1 ? "\(name) (<graphics type='\(type)'>)" : "\(name) (<graphics type='\(type)'> \(ordinal))"
    }

    /// "disk N's <source>" (or "<backingStore><source>" ...) for the `<source>`
    /// whose path from the document root is `path`.
    static func sourceLocation(_ path: [String], _ diskOrdinal: Int) -> String? {
        guard let disk = path.lastIndex(of: "disk") else { return nil }
        return "disk \(diskOrdinal)'s <" + path[(disk + 1)...].joined(separator: "><") + ">"
    }

    static func matchingEnd(_ tags: [XMLTag], from position: Int) -> Int? {
        var depth = 0
        for tag in tags[position...] {
            switch tag.kind {
            case .start: depth += 1
            case .end: depth -= 1; if depth == 0 { return tag.range.upperBound }
            case .empty: break
            }
        }
        return nil
    }

    /// Widens `range` to whole lines when only indentation precedes it on
    /// its line and a newline follows it.
    static func wholeLines(_ bytes: [UInt8], _ range: Range<Int>) -> (Range<Int>, [UInt8]) {
        var start = range.lowerBound
        while start > 0, bytes[start - 1] == 0x20 || bytes[start - 1] == 0x09 { start -= 1 }
        guard start == 0 || bytes[start - 1] == 0x0a, range.upperBound < bytes.count, bytes[range.upperBound] == 0x0a else {
            return (range, [])
        }
        return (start..<(range.upperBound + 1), Array(bytes[start..<range.lowerBound]))
    }

    static func insertion(for secret: DomainSecret, tags: [XMLTag], bytes: [UInt8]) -> (range: Range<Int>, bytes: [UInt8])? {
        switch secret.kind {
        case .graphicsPassword:
            var counts: [String: Int] = [:]
            for tag in tags where tag.kind != .end && tag.name == "graphics" {
                let type = tag.attribute("type").map { String(decoding: bytes[$0.valueRange], as: UTF8.self) } ?? "?"
                counts[type, default: 0] += 1
                if graphicsLocation(type, counts[type] ?? 1) == secret.location {
                    var text = secret.text
                    while let first = text.first, first == 0x20 || first == 0x0a || first == 0x09 || first == 0x0d { text.removeFirst() }
                    return (tag.attributesEnd..<tag.attributesEnd, [0x20] + text)
                }
            }
            return nil
        case .diskCookies:
            var diskOrdinal = 0
            for (position, tag) in tags.enumerated() where tag.kind != .end {
                if tag.name == "disk" { diskOrdinal += 1 }
                guard tag.name == "source", let location = sourceLocation(tag.ancestors + ["source"], diskOrdinal),
                      location == secret.location else { continue }
                var end = tag.range.upperBound
                if tag.kind == .start {
                    // libvirt formats <cookies> after the source's <host> elements.
                    let depth = tag.ancestors.count + 1
                    for child in tags[(position + 1)...] {
                        if child.kind == .end && child.ancestors.count < depth { break }
                        if child.kind == .empty, child.name == "host", child.ancestors.count == depth { end = child.range.upperBound }
                    }
                }
                if tag.kind == .empty {
                    return ((end - 2)..<end, Array(">".utf8) + secret.text + Array("</source>".utf8))
                }
                if end < bytes.count, bytes[end] == 0x0a {
                    return ((end + 1)..<(end + 1), secret.indentation + secret.text + [0x0a])
                }
                return (end..<end, secret.text)
            }
            return nil
        }
    }

    /// Whether a parsed tree still holds a secret.
    static func containsSecret(_ element: XMLElement) -> Bool {
        if element.name == "graphics", element[attribute: "passwd"] != nil { return true }
        if element.name == "source", element.first("cookies") != nil { return true }
        return element.elements.contains { containsSecret($0) }
    }

    static func removingSecrets(_ element: XMLElement) -> XMLElement {
        var copy = element
        if copy.name == "graphics" { copy[attribute: "passwd"] = nil }
        copy.children = copy.children.compactMap { child in
            guard case .element(let e) = child else { return child }
            if copy.name == "source", e.name == "cookies" { return nil }
            return .element(removingSecrets(e))
        }
        return copy
    }
}
