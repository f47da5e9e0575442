/// The one way saveimg turns a number read from a file into a value and
/// computes with it.
///
/// Every integer that comes from a file (a header word, a stream length, an
/// XML value such as `<memory>`) is parsed and combined through these
/// functions, never with bare `+`, `-`, `*` or `Int(...)`: an overflow, a
/// negative length or a value that does not parse becomes a
/// ``SaveImageError`` naming the file, the offset and the field, never a trap.
///
/// The rule is grep-able: in `Sources/SaveImage`, arithmetic on a value read
/// from a file goes through `Checked.` (see DESIGN.md, "Numbers from files").
public enum Checked {
    /// Where a number came from, so an error can name it. The functions
    /// below take it as an autoclosure: it is built only for an error, not
    /// for every page record of a stream.
    public struct Source: Sendable, Hashable {
        public var path: String
        public var offset: UInt64?
        public var field: String

        public init(path: String, offset: UInt64? = nil, field: String) {
            self.path = path
            self.offset = offset
            self.field = field
        }
    }

    static func outOfRange(_ source: Source, expected: String, found: String) -> SaveImageError {
        SaveImageError(.valueOutOfRange, path: source.path, offset: source.offset, field: source.field,
                       expected: expected, found: found)
    }

    /// `a + b`, or an error naming `source` when the sum does not fit in 64 bits.
    public static func add(_ a: UInt64, _ b: UInt64, _ source: @autoclosure () -> Source) throws(SaveImageError) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { throw outOfRange(source(), expected: "a sum below 2^64", found: "\(a) + \(b)") }
        return sum
    }

    /// `a - b`, or an error naming `source` when `b > a`.
    public static func subtract(_ a: UInt64, _ b: UInt64, _ source: @autoclosure () -> Source) throws(SaveImageError) -> UInt64 {
        guard b <= a else { throw outOfRange(source(), expected: "at most \(a)", found: "\(b)") }
        return a - b
    }

    /// `a * b`, or an error naming `source` when the product does not fit in 64 bits.
    public static func multiply(_ a: UInt64, _ b: UInt64, _ source: @autoclosure () -> Source) throws(SaveImageError) -> UInt64 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw outOfRange(source(), expected: "a product below 2^64", found: "\(a) * \(b)") }
        return product
    }

    /// `value` rounded up to a multiple of `alignment` (a power of two or not).
    public static func roundUp(_ value: UInt64, to alignment: UInt64, _ source: @autoclosure () -> Source) throws(SaveImageError) -> UInt64 {
        guard alignment > 0 else { throw outOfRange(source(), expected: "an alignment above 0", found: "0") }
        let remainder = value % alignment
        return remainder == 0 ? value : try add(value, alignment - remainder, source())
    }

    /// `value` as an `Int` (a count or an index in memory).
    public static func int(_ value: UInt64, _ source: @autoclosure () -> Source) throws(SaveImageError) -> Int {
        guard value <= UInt64(Int.max) else {
            throw outOfRange(source(), expected: "at most \(Int.max)", found: "\(value)")
        }
        return Int(value)
    }

    /// Parses an unsigned decimal integer the way libvirt's `virStrToLong_ullp`
    /// does for XML values: optional leading white space, an optional `+`,
    /// decimal digits and nothing after them. A leading `-`, hex, an empty
    /// string, a fraction or exponent, or a value of 2^64 or more is an error.
    public static func unsignedDecimal(_ text: String, _ source: @autoclosure () -> Source) throws(SaveImageError) -> UInt64 {
        var scalars = Substring(text).drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        if scalars.first == "+" { scalars = scalars.dropFirst() }
        // Only for an error message: counting a 10^6-digit value's characters is not free.
        func shown() -> String { text.count > 40 ? String(text.prefix(40)) + "... (\(text.utf8.count) bytes)" : "'\(text)'" }
        // Byte by byte (the same test as Characters that are ASCII digits: an
        // ASCII digit never combines), not grapheme by grapheme: a 10^6-digit
        // value is checked in a millisecond.
        guard !scalars.isEmpty, scalars.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw outOfRange(source(), expected: "an unsigned decimal integer", found: shown())
        }
        var value: UInt64 = 0
        for digit in scalars.utf8 {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            if o1 || o2 { throw outOfRange(source(), expected: "an integer below 2^64", found: shown()) }
            value = next
        }
        return value
    }
}
