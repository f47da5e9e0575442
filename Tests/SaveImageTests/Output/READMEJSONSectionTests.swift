import Foundation
import Testing

/// The README's JSON documentation (the `inspect --json` key table, scan's
/// line, the "JSON output" section) against the schema: every key the
/// README names is a key some command's line has, every command with a
/// `$defs` line is named, and the glossary version is the schema's.
@Suite struct READMEJSONSectionTests {
    static let readme: String = {
        (try? String(contentsOfFile: JSONSchema.repository + "/README.md", encoding: .utf8)) ?? ""
    }()

    static var schema: [String: Any] {
        let data = (try? Data(contentsOf: URL(fileURLWithPath: JSONSchema.schema))) ?? Data()
        return ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
    }

    /// Every property name of every `$defs` entry.
    static var schemaKeys: Set<String> {
        var names: Set<String> = []
        func walk(_ node: Any) {
            if let object = node as? [String: Any] {
                if let properties = object["properties"] as? [String: Any] { names.formUnion(properties.keys) }
                object.values.forEach(walk)
            } else if let array = node as? [Any] {
                array.forEach(walk)
            }
        }
        walk(schema["$defs"] ?? [:])
        return names
    }

    /// The README text between two markers.
    static func section(from start: String, to end: String) throws -> String {
        let lower = try #require(readme.range(of: start))
        let upper = try #require(readme.range(of: end, range: lower.upperBound..<readme.endIndex))
        return String(readme[lower.lowerBound..<upper.lowerBound])
    }

    /// The keys a piece of README names: the code spans of a key table's first
    /// column, and inside code spans that show a shape (`{...}`, `a.b`, `a[]`)
    /// every identifier that is not a quoted value or in parentheses.
    static func documentedKeys(_ text: String) -> Set<String> {
        var keys: Set<String> = []
        // Words of a shape; hyphenated values (in-place), options (--deep) and N placeholders drop out.
        func words(_ span: String) -> [String] {
            span.matches(of: #/[A-Za-z0-9_\-]+/#).map { String($0.output) }.filter { $0.wholeMatch(of: #/[a-z][a-z0-9_]*/#) != nil }
        }
        func spans(_ line: Substring) -> [String] {
            line.matches(of: #/`([^`]+)`/#).map { String($0.output.1) }
        }
        func clean(_ span: String) -> String {
            span.replacing(#/\([^)]*\)/#, with: "").replacing(#/:\s*"[^"]*"/#, with: "")
        }
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let first = line.split(separator: "|", omittingEmptySubsequences: true).first ?? ""
            for span in spans(first) {
                keys.formUnion(words(clean(span)))
            }
        }
        let joined = text.replacingOccurrences(of: "\n", with: " ")
        for span in spans(Substring(joined)) where span.contains(where: { "{.[".contains($0) }) {
            guard !span.hasPrefix("saveimg"), !span.hasPrefix("--"), !span.contains("/") else { continue }
            keys.formUnion(words(clean(span)))
        }
        return keys
    }

    @Test func everyDocumentedKeyIsInTheSchema() throws {
        let inspectTable = try Self.section(from: "`--json` prints one line per file ([JSON output]", to: "### JSON output")
        let jsonSection = try Self.section(from: "### JSON output", to: "### Changelog")
        let scanLine = try Self.section(from: "`--json` prints JSON lines: `{\"type\":\"image\"", to: "(see [JSON output](#json-output))")
        let documented = Self.documentedKeys(inspectTable + "\n" + jsonSection + "\n" + scanLine)
        #expect(documented.count > 80, "the README sections were not found or changed shape: \(documented.sorted())")
        let unknown = documented.subtracting(Self.schemaKeys)
        #expect(unknown.isEmpty, "README names keys no command's JSON line has: \(unknown.sorted())")
    }

    /// Keys renamed in JSON version 2 are gone from the README and the schema.
    @Test func renamedKeysAreGone() throws {
        let jsonSection = try Self.section(from: "`--json` prints JSON lines: `{\"type\":\"image\"", to: "### Changelog")
        let words = Set(jsonSection.matches(of: #/[a-z0-9_]+/#).map { String($0.output) })
        for old in ["allocated_size", "input_bytes", "apparent_bytes", "secrets_kept", "domain_xml_changed", "stream_bytes"] {
            #expect(!words.contains(old), "README still documents \(old)")
            #expect(!Self.schemaKeys.contains(old), "the schema still has \(old)")
        }
    }

    @Test func theREADMENamesTheSchemaVersionAndEveryCommandLine() throws {
        let version = try #require(Self.schema["x-json-version"] as? Int)
        #expect(Self.readme.contains("`x-json-version` (now \(version))"))
        let jsonSection = try Self.section(from: "### JSON output", to: "### Changelog")
        let definitions = try #require(Self.schema["$defs"] as? [String: Any])
        let lines = ["inspect", "check", "verify", "scan", "edit", "convert", "seal", "ext list", "ext show", "diff-cpu",
                     "export-memory", "recover"]
        for command in lines {
            let definition = command.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
            #expect(definitions[definition] != nil, "no $defs/\(definition)")
        }
        for named in ["seal", "check", "recover", "edit"] {
            #expect(jsonSection.contains("`\(named)`"), "the JSON section does not say what \(named) prints")
        }
    }
}
