import Foundation
import Testing

/// The grep-able rule for numbers read from files (see `Checked`): in the
/// directories of `Sources/SaveImage` that parse file data, a line may not
/// compute with bare `+ - *` (`+=` ...), wrapping `&+ &- &*`, or convert with
/// `Int(...)`/`UInt32(...)` and the like, unless the arithmetic goes through
/// `Checked.` or the line carries `// bounded: <reason>`, a reviewed
/// statement of why the value cannot overflow (a constant, a size of an
/// in-memory array, a UInt32 widened to 64 bits ...).
///
/// It is a syntactic heuristic, not a type check: it cannot tell a file
/// value from an in-memory count, so it flags both and a reviewer writes the
/// reason. It treats `+` next to a string literal as string concatenation,
/// ignores comments, and ignores `UInt64(...)` (widening) and conversions
/// with `truncatingIfNeeded:`/`clamping:`/`bitPattern:` (explicit). What it
/// does not see: arithmetic in `Checked.swift` itself, and files outside
/// these directories (codecs, writing, the CLI), which do not parse files.
/// Run `grep -rn "bounded:" Sources/SaveImage` to review every exemption.
@Suite("Numbers from files: the arithmetic rule")
struct FileArithmeticRuleTests {
    /// Directories (relative to Sources/SaveImage) that do not parse file
    /// data: the checked conversions themselves, the file layer (sizes from
    /// `stat`, offsets it is handed), the codecs (bytes in, bytes out through
    /// C libraries), the writers (sizes of what they build in memory), and
    /// the judges (Check, Verify: they compare values the parsers produced;
    /// the one byte scan verify needed, the stream's tail, is in Stream/),
    /// and Retarget (a plan from a verdict, executed by the writers).
    static let notParsing: Set<String> = ["Errors", "IO", "Stream/Codecs", "Writing", "Writing/Convert", "Check", "Verify",
                                          "Retarget"]

    /// Every other directory holding Swift files, derived from the tree, so
    /// a new folder is under the rule unless it is named above.
    static var parsingDirectories: [String] {
        let root = sources.path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var folders: Set<String> = []
        for case let relative as String in walker where relative.hasSuffix(".swift") {
            let parts = relative.split(separator: "/")
            if parts.count > 1 { folders.insert(parts.dropLast().joined(separator: "/")) }
        }
        return folders.subtracting(notParsing).sorted()
    }

    static let sources: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/SaveImage")

    static var stringLiteral: Regex<Substring> { #/"(?:[^"\\]|\\.)*"/# }
    static var concatenation: Regex<Substring> { #/S\s*\+|\+\s*S/# }
    static var arithmetic: Regex<Substring> {
        #/&[+\-*]|\+=|-=|\*=|(?:[^\s(\[,:=<>!&|?]|\s)[+\-*]\s(?!>)|\b(?:Int|Int8|Int16|Int32|Int64|UInt8|UInt16|UInt32)\((?!truncatingIfNeeded|clamping|bitPattern|ascii)/#
    }

    /// Whether `line` breaks the rule.
    static func violates(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("//") || line.contains("// bounded: ") { return false }
        var code = line.replacing(stringLiteral, with: "S")
        if let comment = code.range(of: "//") { code = String(code[..<comment.lowerBound]) }
        code = code.replacing(concatenation, with: "")
        return code.contains(arithmetic)
    }

    @Test("the heuristic flags bare arithmetic and conversions, not strings, comments or reviewed lines")
    func heuristic() {
        for bad in ["let end = offset + length", "index += 4", "let n = a &+ b", "let c = Int(header.dataLength)",
                    "x = UInt32(value)", "let size = count * 4096", "remaining -= size", "f(offset - 4)"] {
            #expect(Self.violates(bad), "not flagged: \(bad)")
        }
        for good in ["let s = \"a\" + name", "// offset + 1", "let n = try Checked.add(a, b, source)",
                     "let w = UInt32(truncatingIfNeeded: v)", "let u = UInt64(word)", "x = a + b  // bounded: constants",
                     "let r = a..<b", "func f() -> Int", "let m = -1", "let brace = UInt8(ascii: \"{\")"] {
            #expect(!Self.violates(good), "flagged: \(good)")
        }
    }

    @Test("no unreviewed arithmetic in the files that parse file data")
    func rule() throws {
        var checked = 0
        var violations: [String] = []
        for directory in Self.parsingDirectories {
            let folder = Self.sources.appendingPathComponent(directory)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }.sorted()
            for name in names where name != "Checked.swift" {
                let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                checked += 1
                // A file whose only arithmetic is on indexes into an in-memory array it
                // bounds-checks itself says so once, with its reason, at the top.
                if text.contains("// bounded-file: ") { continue }
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where Self.violates(String(line)) {
                    violations.append("Sources/SaveImage/\(directory)/\(name):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(checked >= 30, "only \(checked) files found under \(Self.sources.path)")
        #expect(violations.isEmpty, """
            Arithmetic on possibly file-derived integers: use Checked (add/subtract/multiply/int/unsignedDecimal) \
            or, if it provably cannot overflow, append `// bounded: <reason>`:
            \(violations.joined(separator: "\n"))
            """)
    }
}
