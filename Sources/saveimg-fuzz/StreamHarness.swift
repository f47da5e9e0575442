// Harness "stream": the deep check's migration stream walker over a raw
// QEMU stream in memory. An input is
//
//     u16be(L)  L program bytes  raw stream
//
// The program makes structure-aware edits before the walk: it finds the
// stream's records (section headers, RAM page records and their flags, the
// RAM block list, the VM description) with a light scan of the seed's layout
// and rewrites them: a section type, id, idstr length or version, a RAM
// record's flags or address, a block size, the description's length, or a
// JSON value swapped for an extreme number. Byte-level mutation by libFuzzer
// (with scripts/fuzz-stream.dict) does the rest.
//
// Invariants: the walk never traps; it gives the same result (summary,
// failure, SHA-256) whether the stream arrives in one chunk or in small
// chunks (the cursor's chunk straddling); every offset it reports lies in the
// stream; it counts every byte.
#if SAVEIMG_FUZZ
import Glibc
import CFuzzDriver
import SaveImage

/// Offsets of interesting places in a raw stream, found by pattern (no
/// parsing: the walker under test is the parser).
struct StreamLandmarks {
    var sectionHeaders: [Int] = []
    var ramRecords: [Int] = []
    var descriptionLength: Int?
    var jsonNumbers: [Range<Int>] = []

    init(_ s: [UInt8]) {
        // Section headers and RAM records: scanned in C, outside the coverage instrumentation.
        var sectionCount = 0, recordCount = 0, brace = -1
        var records = [Int](repeating: 0, count: 512)
        sectionHeaders = [Int](unsafeUninitializedCapacity: max(1, s.count)) { sections, initialized in
            records.withUnsafeMutableBufferPointer { records in
                s.withUnsafeBufferPointer { bytes in
                    saveimg_fuzz_stream_landmarks(bytes.baseAddress, bytes.count, sections.baseAddress, &sectionCount,
                                                  records.baseAddress, records.count, &recordCount, &brace)
                }
            }
            initialized = sectionCount
        }
        ramRecords = Array(records.prefix(recordCount))
        // The VM description: 0x06 u32be(len) '{' (the last '{').
        if brace >= 5, s[brace - 5] == 6 { descriptionLength = brace - 4 }
        if let start = descriptionLength {
            var j = start + 4
            while j < s.count, jsonNumbers.count < 256 {
                if (0x30...0x39).contains(s[j]), s[j - 1] == UInt8(ascii: ":") || s[j - 1] == UInt8(ascii: " ") {
                    let end = s[j...].firstIndex { !(0x30...0x39).contains($0) } ?? s.count
                    jsonNumbers.append(j..<end)
                    j = end
                } else { j += 1 }
            }
        }
    }
}

func putWord(_ value: UInt64, bytes: Int, into s: inout [UInt8], at offset: Int) {
    guard offset >= 0, offset + bytes <= s.count else { return }
    for k in 0..<bytes { s[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(bytes - 1 - k))) }
}

let extremeWords: [UInt64] = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff,
                              0x1_0000_0000, 0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, .max, 4096, 4095, 64 << 20]
let ramFlags: [UInt64] = [0x02, 0x04, 0x08, 0x10, 0x20, 0x22, 0x28, 0x40, 0x100, 0x200, 0x400, 0x800, 0x14, 0x3e, 0xfff]

/// One structural edit read from `input`.
func applyStreamEdit(_ input: inout FuzzInput, to s: inout [UInt8], _ marks: StreamLandmarks) {
    let word = input.pick(extremeWords) ?? 0
    switch input.byte() % 8 {
    case 0:  // a section header field: type, id, idstr length, instance, version
        guard let at = input.pick(marks.sectionHeaders) else { return }
        let length = at + 5 < s.count ? Int(s[at + 5]) : 0
        switch input.byte() % 5 {
        case 0: if at < s.count { s[at] = UInt8(input.byte() % 10) }
        case 1: putWord(word, bytes: 4, into: &s, at: at + 1)
        case 2: if at + 5 < s.count { s[at + 5] = UInt8(truncatingIfNeeded: word) }
        case 3: putWord(word, bytes: 4, into: &s, at: at + 6 + length)
        default: putWord(word, bytes: 4, into: &s, at: at + 10 + length)
        }
    case 1:  // RAM record flags
        guard let at = input.pick(marks.ramRecords), at + 7 < s.count else { return }
        s[at + 7] = UInt8(truncatingIfNeeded: input.pick(ramFlags) ?? 0)
        s[at + 6] = (s[at + 6] & 0xf0) | UInt8(truncatingIfNeeded: (input.pick(ramFlags) ?? 0) >> 8)
    case 2:  // RAM record address (or block list total)
        guard let at = input.pick(marks.ramRecords), at + 8 <= s.count else { return }
        let flags = UInt64(s[at + 6] & 0x0f) << 8 | UInt64(s[at + 7])
        putWord((word & ~0xfff) | flags, bytes: 8, into: &s, at: at)
    case 3:  // a u64 right after a record (a block size in the block list)
        guard let at = input.pick(marks.ramRecords) else { return }
        let skip = Int(input.byte() % 64)
        putWord(word, bytes: 8, into: &s, at: at + 8 + skip)
    case 4:  // the VM description's length
        guard let at = marks.descriptionLength else { return }
        putWord(word, bytes: 4, into: &s, at: at)
    case 5:  // a JSON number swapped for an extreme (length kept consistent)
        guard let range = input.pick(marks.jsonNumbers), let at = marks.descriptionLength, range.upperBound <= s.count else { return }
        let value = Array((input.pick(extremeValues) ?? "0").utf8.prefix(4096))
        s.replaceSubrange(range, with: value)
        let length = s.count - (at + 4)
        putWord(UInt64(max(0, length)), bytes: 4, into: &s, at: at)
    case 6:  // cut the stream at a landmark
        guard let at = input.pick(marks.sectionHeaders + marks.ramRecords), at < s.count else { return }
        s.removeSubrange((at + Int(input.byte() % 16)).clamped(to: s.count)...)
    default:  // duplicate a record's first 64 bytes
        guard let at = input.pick(marks.sectionHeaders + marks.ramRecords), at < s.count else { return }
        let end = min(s.count, at + 64)
        s.insert(contentsOf: s[at..<end], at: at)
    }
}

extension Int {
    func clamped(to limit: Int) -> Int { Swift.min(self, limit) }
}

/// One input of the "stream" harness.
func fuzzStream(_ bytes: [UInt8]) {
    let (program, rest) = splitProgram(bytes)
    var stream = Array(rest)
    if !program.isEmpty {
        let marks = StreamLandmarks(stream)
        var input = FuzzInput(program)
        for _ in 0..<16 where !input.isAtEnd { applyStreamEdit(&input, to: &stream, marks) }
    }
    guard let whole = try? StreamWalk(rawStream: stream) else { return invariant(false, "SHA-256 set-up") }
    note("walked \(stream.count) bytes: \(whole.summary.sections.count) sections, \(whole.summary.pages) pages, "
         + "EOF \(whole.summary.reachedEOF), " + (whole.failure.map { "failure: \($0)" } ?? "no failure"))
    invariant(whole.rawStreamBytes == UInt64(stream.count), "every byte counted")
    if let failure = whole.failure, let offset = failure.offset {
        invariant(offset <= UInt64(stream.count), "failure offset inside the stream")
    }
    for section in whole.summary.sections { invariant(section.offset < UInt64(stream.count), "section offset inside the stream") }
    // The same walk in small chunks (size from the program) must agree. At
    // most about 2048 chunks: 1-byte chunks of a 60 KB stream cost more than
    // all the rest of an execution, and a size that is still small and not a
    // multiple of 8 straddles as many reads.
    let sizes = [1, 2, 3, 5, 7, 8, 9, 13, 64, 255, 4093, 4096, 4097, 65536]
    let chunk = stream.count > 100_000 ? 4093 : max(sizes[Int(program.last ?? 0) % sizes.count], stream.count / 2048 | 1)
    guard let split = try? StreamWalk(rawStream: stream, chunkSize: chunk) else { return invariant(false, "SHA-256 set-up") }
    invariant(split.summary == whole.summary, "same summary in small chunks")
    invariant(split.failure == whole.failure, "same failure in small chunks")
    invariant(split.sha256 == whole.sha256 && split.trailingBytes == whole.trailingBytes, "same digest in small chunks")
}
#endif
