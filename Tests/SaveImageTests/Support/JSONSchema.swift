import Foundation
import Testing

/// Validates `--json` output against the repository's JSON Schema
/// (schema/saveimg-output.schema.json) with scripts/validate-json.py, which
/// runs Python's reference validator (`python3-jsonschema`, installed by
/// scripts/install-deps.sh).
enum JSONSchema {
    static let repository = URL(fileURLWithPath: Fixtures.testdata).deletingLastPathComponent().path
    static let schema = repository + "/schema/saveimg-output.schema.json"
    static let validator = repository + "/scripts/validate-json.py"

    /// Expects every line of `result`'s standard output to be valid against
    /// `#/$defs/<definition>` and the schema's top level; returns the objects.
    @discardableResult
    static func validate(_ result: CLI.Result, _ definition: String,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String: Any]] {
        let check = try TestProcess.run(["/usr/bin/env", "python3", validator, schema, definition], stdin: result.stdout)
        let messages = String(decoding: check.stderr, as: UTF8.self)
        #expect(check.status != 3, "\(messages)", sourceLocation: sourceLocation)
        #expect(check.status == 0, "output not valid against $defs/\(definition):\n\(messages)\n\(result.output)",
                sourceLocation: sourceLocation)
        return try JSONLines.objects(result)
    }
}
