import Foundation
import Testing
@testable import SaveImage

/// The deep check's stream walker on real streams with extreme values in its
/// numbers (what the "stream" fuzz harness does, kept as deterministic
/// tests): the RAM section's flags, block sizes and block list total, the
/// VM description's length and JSON numbers, a section id, and the chunk
/// boundaries the decoder's output arrives in. A clear error with its raw
/// offset, inside the stream, or the same summary; never a trap.
@Suite("Hostile: the migration stream walker")
struct HostileStreamWalkTests {
    /// The raw stream of a raw fixture.
    static func stream(_ fixture: String = "westmere-raw.sav") throws -> [UInt8] {
        let image = try SaveImage(contentsOf: Fixtures.path(fixture))
        return Array(try Fixtures.bytes(fixture)[Int(image.streamOffset)...])
    }

    static func put(_ value: UInt64, bytes: Int, into s: inout [UInt8], at offset: Int) {
        for k in 0..<bytes { s[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(bytes - 1 - k))) }
    }

    /// Offset of the VM description's JSON (after 0x06 and its u32 length).
    static func descriptionJSON(_ s: [UInt8]) throws -> Int {
        let json = try #require((5..<s.count).last { i in
            s[i] == UInt8(ascii: "{") && s[i - 5] == 0x06
                && s[(i - 4)..<i].reduce(0) { $0 << 8 | Int($1) } == s.count - i
        })
        return json
    }

    /// Offset of the RAM section's first record (after 0x01, id, len, "ram", instance, version).
    static func firstRAMRecord(_ s: [UInt8]) throws -> Int {
        let walk = try StreamWalk(rawStream: s)
        let ram = try #require(walk.summary.sections.first { $0.name == "ram" })
        return Int(ram.offset) + 1 + 4 + 1 + 3 + 4 + 4
    }

    @Test("the same result in chunks of 1, 7, 4095, 4097 bytes and 1 MiB, and the digest sha256sum gives")
    func chunking() throws {
        let s = try Self.stream()
        let whole = try StreamWalk(rawStream: s)
        #expect(whole.failure == nil && whole.summary.reachedEOF)
        #expect(whole.rawStreamBytes == UInt64(s.count))
        #expect(whole.sha256 == (try DeepCheck.run(path: Fixtures.path("westmere-raw.sav"))).sha256)
        for size in [1, 7, 4095, 4097] {
            let split = try StreamWalk(rawStream: s, chunkSize: size)
            #expect(split == whole, "chunks of \(size)")
        }
    }

    static let words: [UInt64] = [0, 1, 0xffff_ffff, 0x1_0000_0000, 1 << 63, .max]

    @Test("extreme RAM block list totals and block sizes: an error naming the RAM blocks, at the record's offset", arguments: words)
    func ramBlockSizes(_ value: UInt64) throws {
        var s = try Self.stream()
        let record = try Self.firstRAMRecord(s)
        // The MEM_SIZE record: u64 (total | 0x04), then u8 len, name, u64 size per block.
        let nameLength = Int(s[record + 8])
        var total = s
        Self.put((value & ~0xfff) | 0x04, bytes: 8, into: &total, at: record)
        let t = try StreamWalk(rawStream: total)
        if let failure = t.failure { #expect(failure.offset.map { $0 <= UInt64(s.count) } == true, "\(failure)") }
        Self.put(value, bytes: 8, into: &s, at: record + 8 + 1 + nameLength)
        let walk = try StreamWalk(rawStream: s)
        let failure = try #require(walk.failure, "block size \(value) accepted")
        #expect(failure.offset.map { $0 <= UInt64(s.count) } == true)
        #expect(failure.field.contains("ram"), "\(failure)")
    }

    @Test("unknown RAM flags are refused with the flags and the record's offset", arguments: [UInt64(0x400), 0x800, 0xfff, 0x1])
    func ramFlags(_ flags: UInt64) throws {
        var s = try Self.stream()
        let record = try Self.firstRAMRecord(s)
        s[record + 7] = UInt8(truncatingIfNeeded: flags) | (s[record + 7] & 0x04)
        s[record + 6] = (s[record + 6] & 0xf0) | UInt8(truncatingIfNeeded: flags >> 8)
        let failure = try #require(try StreamWalk(rawStream: s).failure)
        #expect(failure.offset == UInt64(record), "\(failure)")
        #expect(failure.expected == "RAM page flags", "\(failure)")
    }

    @Test("a RAM record of no kind or of two kinds is refused as QEMU's ram_load_precopy refuses it",
          arguments: [UInt64(0x00), 0x20, 0x0a, 0x18, 0x06, 0x2a])
    func ramFlagCombinations(_ flags: UInt64) throws {
        var s = try Self.stream()
        let first = try Self.firstRAMRecord(s)
        let blocks = try StreamWalk(rawStream: s).summary.ramBlocks
        // The record after the MEM_SIZE record and its block list: the EOS that ends the setup section.
        let record = first + 8 + blocks.reduce(0) { $0 + 1 + $1.name.utf8.count + 8 }
        #expect(Array(s[record..<(record + 8)]) == [0, 0, 0, 0, 0, 0, 0, 0x10], "the setup section's EOS")
        s[record + 7] = UInt8(flags)
        let failure = try #require(try StreamWalk(rawStream: s).failure, "flags \(flags) accepted")
        #expect(failure.offset == UInt64(record), "\(failure)")
        #expect(failure.found == "flags 0x" + String(flags, radix: 16), "\(failure)")
        #expect(failure.expected.contains("one kind"), "\(failure)")
    }

    @Test("the VM description's length at its extremes: refused beyond 64 MiB or the stream, never read past", arguments: words)
    func descriptionLength(_ value: UInt64) throws {
        var s = try Self.stream()
        let brace = try Self.descriptionJSON(s)
        let at = brace - 4
        Self.put(value & 0xffff_ffff, bytes: 4, into: &s, at: at)
        let walk = try StreamWalk(rawStream: s)
        if value & 0xffff_ffff == UInt64(s.count - brace) {
            #expect(walk.failure == nil)
        } else {
            let failure = try #require(walk.failure, "length \(value) accepted")
            #expect(failure.field == "VM description", "\(failure)")
            #expect(failure.offset.map { $0 <= UInt64(s.count) } == true)
        }
    }

    @Test("a JSON page_size of 1e400, 2^64, -1 or 10^6 digits is a clear error, not a trap",
          arguments: ["1e400", "18446744073709551616", "-1", String(repeating: "9", count: 1_000_000), "4096.5"])
    func descriptionNumbers(_ number: String) throws {
        var s = try Self.stream()
        let brace = try Self.descriptionJSON(s)
        var json = String(decoding: s[brace...], as: UTF8.self)
        let key = try #require(json.range(of: "\"page_size\": 4096") ?? json.range(of: "\"page_size\":4096"))
        json.replaceSubrange(key, with: "\"page_size\": \(number)")
        s.replaceSubrange(brace..., with: Array(json.utf8))
        Self.put(UInt64(s.count - brace), bytes: 4, into: &s, at: brace - 4)
        let walk = try StreamWalk(rawStream: s)
        let failure = try #require(walk.failure, "page_size \(number.prefix(20)) accepted")
        #expect(failure.field == "VM description" && failure.expected.contains("JSON"), "\(failure)")
        #expect(walk.summary.reachedEOF)
    }

    @Test("a section started twice is refused naming the id; a continued section never started likewise")
    func sectionIDs() throws {
        var s = try Self.stream()
        let walk = try StreamWalk(rawStream: s)
        let sections = walk.summary.sections
        try #require(sections.count > 3)
        // Give the section after RAM (whose records are parsed, so its footer is read directly) RAM's id.
        let second = sections[0], third = sections[1]
        #expect(second.name == "ram")
        Self.put(UInt64(second.id), bytes: 4, into: &s, at: Int(third.offset) + 1)
        let failure = try #require(try StreamWalk(rawStream: s).failure)
        #expect(failure.offset == third.offset + 1, "\(failure)")
        #expect(failure.found.contains("id \(second.id) again"), "\(failure)")
    }
}
