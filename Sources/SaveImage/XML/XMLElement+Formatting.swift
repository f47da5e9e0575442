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
        out += pad + "<" + name
        for attribute in attributePairs {
            out += " \(attribute.name)='\(Self.escape(attribute.value))'"
        }
        let meaningful = children.filter {
            if case .text(let t) = $0 { return !t.trimmingWhitespace().isEmpty }
            return true
        }
        if meaningful.isEmpty {
            out += "/>\n"
            return
        }
        if meaningful.count == 1, case .text(let t) = meaningful[0] {
            out += ">" + Self.escape(t.trimmingWhitespace()) + "</" + name + ">\n"
            return
        }
        out += ">\n"
        for child in meaningful {
            switch child {
            case .element(let e): e.format(into: &out, depth: depth + 1)
            case .text(let t): out += pad + "  " + Self.escape(t.trimmingWhitespace()) + "\n"
            }
        }
        out += pad + "</" + name + ">\n"
    }

    /// Escapes the five XML special characters as libvirt does.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "'": out += "&apos;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
