/// Hexadecimal as saveimg's messages print it: the one spelling.
public enum Hex {
    /// Two lowercase digits: `1f`, `0a`.
    public static func digits(_ byte: UInt8) -> String {
        let table = Array("0123456789abcdef".utf8)
        return String(decoding: [table[Int(byte >> 4)], table[Int(byte & 0x0f)]], as: UTF8.self)  // bounded: nibbles, 0...15
    }

    /// `0x1f`: a byte with its prefix.
    public static func byte(_ byte: UInt8) -> String { "0x" + digits(byte) }

    /// `1f 8b 08`: bytes, two digits each, separated by `separator`.
    public static func bytes(_ bytes: some Sequence<UInt8>, separator: String = " ") -> String {
        bytes.map(digits).joined(separator: separator)
    }

    /// A number as the domain XML writes one: `0x`/`0X` hexadecimal or decimal; nil otherwise.
    public static func parseNumber(_ text: some StringProtocol) -> UInt64? {
        text.hasPrefix("0x") || text.hasPrefix("0X") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
    }

    /// `0x1000`: an integer with its prefix, no padding.
    public static func number(_ value: some BinaryInteger) -> String { "0x" + String(value, radix: 16) }
}
