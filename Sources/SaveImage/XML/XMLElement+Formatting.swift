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
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "<": out += "&lt;"  // bounded: string concatenation
            case ">": out += "&gt;"  // bounded: string concatenation
            case "&": out += "&amp;"  // bounded: string concatenation
            case "'": out += "&apos;"  // bounded: string concatenation
            case "\"": out += "&quot;"  // bounded: string concatenation
            default: out.append(ch)
            }
        }
        return out
    }
}
