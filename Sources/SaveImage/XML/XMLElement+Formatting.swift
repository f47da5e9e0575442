extension XMLElement {
    /// The element formatted the way libvirt formats its XML (`virBuffer`):
    /// two-space indentation, attributes in single quotes, empty elements as
    /// `<name/>`, whitespace-only text dropped, one element per line, and a
    /// trailing newline.
    public func formatted(indent: Int = 0) -> String {
        var out = ""
        format(into: &out, depth: indent)
        return out
    }

    private func format(into out: inout String, depth: Int) {
        let pad = String(repeating: "  ", count: depth)
        out += pad + "<" + name  // bounded: string concatenation
        for attribute in attributePairs {
            out += " \(attribute.name)='\(Self.escape(attribute.value))'"  // bounded: string concatenation
        }
        let meaningful = children.filter {
            if case .text(let t) = $0 { return !t.trimmingWhitespace().isEmpty }
            return true
        }
        if meaningful.isEmpty {
            out += "/>\n"  // bounded: string concatenation
            return
        }
        if meaningful.count == 1, case .text(let t) = meaningful[0] {
            out += ">" + Self.escape(t.trimmingWhitespace()) + "</" + name + ">\n"  // bounded: string concatenation
            return
        }
        out += ">\n"  // bounded: string concatenation
        for child in meaningful {
            switch child {
            case .element(let e): e.format(into: &out, depth: depth + 1)  // bounded: depth of an in-memory tree (parser limit 256)
            case .text(let t): out += pad + "  " + Self.escape(t.trimmingWhitespace()) + "\n"  // bounded: string concatenation
            }
        }
        out += pad + "</" + name + ">\n"  // bounded: string concatenation
    }

    /// Escapes the five XML special characters as libvirt does.
    ///
    /// Byte by byte, as libvirt's `virBufferEscapeString`: the five are ASCII
    /// and never part of a multi-byte UTF-8 sequence, so a `<` followed by a
    /// combining mark (one Swift `Character`, not equal to `"<"`) is escaped
    /// too. Text without any of them (the common case) is returned as is.
    static func escape(_ text: String) -> String {
        guard ByteSearch.containsAny(of: specialBytes, in: text) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 32)  // bounded: capacity hint of an in-memory string
        for byte in text.utf8 {
            if let entity = entity(for: byte) { out += entity.utf8 } else { out.append(byte) }  // bounded: appending to an in-memory array
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The five bytes ``entity(for:)`` replaces.
    private static let specialBytes: [UInt8] = (UInt8.min...UInt8.max).filter { entity(for: $0) != nil }

    /// The entity libvirt writes for one of the five special bytes; nil for any other byte.
    private static func entity(for byte: UInt8) -> String? {
        switch byte {
        case 0x3C: "&lt;"    // <
        case 0x3E: "&gt;"    // >
        case 0x26: "&amp;"   // &
        case 0x27: "&apos;"  // '
        case 0x22: "&quot;"  // "
        default: nil
        }
    }
}
