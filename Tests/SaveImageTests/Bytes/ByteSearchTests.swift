import Testing
@testable import SaveImage

/// ByteSearch's libc scans agree with the obvious Swift loops at every
/// boundary: first and last byte, just outside the range, empty input.
@Suite struct ByteSearchTests {
    @Test func firstIndexStaysInsideTheRange() {
        var bytes = [UInt8](repeating: 0x41, count: 100)
        bytes[10] = 0
        bytes[50] = 0
        #expect(ByteSearch.firstIndex(of: 0, in: bytes, range: 0..<100) == 10)
        #expect(ByteSearch.firstIndex(of: 0, in: bytes, range: 10..<11) == 10)
        #expect(ByteSearch.firstIndex(of: 0, in: bytes, range: 0..<10) == nil)
        #expect(ByteSearch.firstIndex(of: 0, in: bytes, range: 11..<50) == nil)
        #expect(ByteSearch.firstIndex(of: 0, in: bytes, range: 11..<51) == 50)
        #expect(ByteSearch.firstIndex(of: 0, in: bytes, range: 10..<10) == nil)
        #expect(ByteSearch.firstIndex(of: 0x41, in: [], range: 0..<0) == nil)
        #expect(ByteSearch.firstIndex(of: 0x41, in: bytes, range: 99..<100) == 99)
    }

    @Test func countStopsAtItsLimit() {
        let text = Array("<a><b/>x<c/></a><".utf8)
        let expected = text.filter { $0 == UInt8(ascii: "<") }.count
        #expect(ByteSearch.count(of: UInt8(ascii: "<"), in: text, upTo: 100) == expected)
        #expect(ByteSearch.count(of: UInt8(ascii: "<"), in: text, upTo: 3) == 3)
        #expect(ByteSearch.count(of: UInt8(ascii: "<"), in: text, upTo: 0) == 0)
        #expect(ByteSearch.count(of: UInt8(ascii: "z"), in: text, upTo: 100) == 0)
        #expect(ByteSearch.count(of: UInt8(ascii: "<"), in: [], upTo: 100) == 0)
    }

    @Test func nonZeroCountFindsASingleByteAnywhere() {
        #expect(ByteSearch.nonZeroCount([]) == 0)
        #expect(ByteSearch.isAllZero([]))
        let zeros = [UInt8](repeating: 0, count: 65536)
        #expect(ByteSearch.nonZeroCount(zeros) == 0)
        for position in [0, 1, 4095, 32768, 65534, 65535] {
            var padding = zeros
            padding[position] = 0x80
            #expect(ByteSearch.nonZeroCount(padding) == 1, "non-zero byte at \(position)")
            #expect(!ByteSearch.isAllZero(padding))
        }
        // Every byte value at every place in a word, and in the tail past the last word.
        for value in UInt8(1)...255 {
            for position in 0..<19 {
                var bytes = [UInt8](repeating: 0, count: 19)
                bytes[position] = value
                #expect(ByteSearch.nonZeroCount(bytes) == 1, "\(value) at \(position)")
            }
        }
        // Equal bytes that are not zero are not "all zero" (each equals the next).
        #expect(ByteSearch.nonZeroCount([UInt8](repeating: 0xFF, count: 4097)) == 4097)
        #expect(ByteSearch.nonZeroCount([0]) == 0 && ByteSearch.nonZeroCount([7]) == 1)
    }

    @Test func agreesWithSwiftLoopsOnRandomInput() {
        var generator = SplitMix64(seed: 0x5eed_b17e)
        for _ in 0..<500 {
            let count = Int.random(in: 0...300, using: &generator)
            let density = Int.random(in: 1...40, using: &generator)
            let bytes = (0..<count).map { _ in Int.random(in: 0..<density, using: &generator) == 0 ? UInt8.random(in: 0...255, using: &generator) : 0 }
            #expect(ByteSearch.nonZeroCount(bytes) == bytes.filter { $0 != 0 }.count)
            let lower = Int.random(in: 0...count, using: &generator), upper = Int.random(in: lower...count, using: &generator)
            let needle = UInt8.random(in: 0...3, using: &generator)
            #expect(ByteSearch.firstIndex(of: needle, in: bytes, range: lower..<upper) == bytes[lower..<upper].firstIndex(of: needle))
        }
    }

    @Test func containsAnyReadsEveryByteOfTheString() {
        let special: [UInt8] = Array("<&".utf8)
        #expect(!ByteSearch.containsAny(of: special, in: ""))
        #expect(!ByteSearch.containsAny(of: special, in: "plain text, ünïcödé, 日本"))
        #expect(ByteSearch.containsAny(of: special, in: "<"))
        #expect(ByteSearch.containsAny(of: special, in: String(repeating: "x", count: 100_000) + "&"))
        #expect(ByteSearch.containsAny(of: special, in: "<\u{301}"))  // one Character, still the byte '<'
        // A small (inline) string and one made from a Substring take the same answer.
        let long = "abc" + String(repeating: "é", count: 40) + "&tail"
        #expect(ByteSearch.containsAny(of: special, in: String(long.dropFirst(3))))
        #expect(!ByteSearch.containsAny(of: special, in: String(long.dropLast(5))))
    }
}
