/// Reads and checks a `<cpu>` document given to `add-cpu-ext`.
public enum CPUXML {

    /// Parses `bytes` as a `<cpu>` element and checks the model and feature
    /// names (letters, digits, `_ . + -`), and the feature policies.
    ///
    /// - Throws: `.malformedXML` (with libxml2's line and message) or
    ///   `.editRejected` naming the element that is wrong.
    public static func parse(_ bytes: [UInt8], path: String) throws(SaveImageError) -> XMLElement {
        let element = try XMLParser.parse(bytes, name: "cpu", path: path)
        guard element.name == "cpu" else {
            throw SaveImageError(.unexpectedXML, path: path, field: "cpu XML", expected: "root element <cpu>",
                                 found: "<\(element.name)>")
        }
        if let model = element.first("model") {
            guard isName(model.text) else {
                throw SaveImageError(.editRejected, path: path, field: "<model>",
                                     expected: "a CPU model name", found: "'\(model.text)'")
            }
        }
        for feature in element.all("feature") {
            let name = feature[attribute: "name"] ?? ""
            guard isName(name) else {
                throw SaveImageError(.editRejected, path: path, field: "<feature name>",
                                     expected: "a CPU feature name", found: "'\(name)'")
            }
            if let policy = feature[attribute: "policy"], !CPUDefinition.Policy(attribute: policy).isDefined {
                throw SaveImageError(.editRejected, path: path, field: "<feature name='\(name)' policy>",
                                     expected: CPUDefinition.Policy.defined.map(\.description).sorted().joined(separator: ", "), found: "'\(policy)'")
            }
        }
        return element
    }

    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 128 && text.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "_.+-".unicodeScalars.contains($0)
        }
    }
}
