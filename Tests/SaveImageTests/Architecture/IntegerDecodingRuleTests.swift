import Foundation
import Testing

/// Integers are decoded from bytes, and hexadecimal is spelled, in one place:
/// `Sources/SaveImage/Bytes/` (`Endianness`, `ByteReader`, `ByteWriter`,
/// `Hex`). Everywhere else in the library a parser asks those, so a read
/// past the end is a thrown error with offset and field, never an index trap,
/// and a byte order is always named.
@Suite("Architecture: integers are decoded only in Bytes/")
struct IntegerDecodingRuleTests {
    /// What decoding or spelling by hand looks like.
    static var patterns: [(String, Regex<Substring>)] { [
        ("an unaligned load", #/loadUnaligned/#),
        ("a byte-order conversion", #/\((?:bigEndian|littleEndian):/#),
        ("bytes shifted together", #/<<\s*(?:8|16|24|32|40|48|56)\s*\|/#),
        ("a fold of bytes into an integer", #/reduce\((?:UInt|Int)(?:8|16|32|64)?\(0\)/#),
        ("hexadecimal by hand", #/radix:\s*16/#),
    ] }

    @Test("no integer decoding or hexadecimal by hand outside Bytes/")
    func onlyBytesDecodes() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/SaveImage").path
        let walker = try #require(FileManager.default.enumerator(atPath: root))
        var checked = 0
        var violations: [String] = []
        for case let relative as String in walker where relative.hasSuffix(".swift") && !relative.hasPrefix("Bytes/") {
            checked += 1
            let text = try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                for (what, pattern) in Self.patterns where code.contains(pattern) {
                    violations.append("Sources/SaveImage/\(relative):\(number + 1): \(what): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(checked >= 100, "only \(checked) files under \(root)")
        #expect(violations.isEmpty, "decode through Bytes/ (Endianness, ByteReader, ByteWriter, Hex):\n\(violations.joined(separator: "\n"))")
    }
}
