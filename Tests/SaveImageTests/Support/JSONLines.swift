import Foundation
import Testing

/// Every `--json` output is JSON Lines: one object per line.
enum JSONLines {
    /// The objects of `result`'s standard output, one per line; fails the
    /// test when a line is not a JSON object.
    static func objects(_ result: CLI.Result) throws -> [[String: Any]] {
        try result.output.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not an object: \(line)")
        }
    }

    /// The only object of a one-line output.
    static func object(_ result: CLI.Result) throws -> [String: Any] {
        let objects = try objects(result)
        try #require(objects.count == 1, "expected one JSON line, got \(objects.count): \(result.output)")
        return objects[0]
    }
}
