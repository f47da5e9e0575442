import Testing
@testable import SaveImage

/// The pipelined parallel gzip encoder on its own: stream lengths around its
/// block and ring boundaries, input fed in uneven pieces, one or two workers.
/// Every output must be one gzip member that `gzip -dc` and saveimg's own
/// decoder turn back into the input.
@Suite("Convert: parallel gzip encoder")
struct ConvertGzipEncoderTests {
    static let block = ParallelGzipEncoder.blockSize

    /// Input lengths: empty, one byte, one block exactly and either side of it,
    /// and enough blocks to go round the ring (4 blocks per worker) more than once.
    static let lengths = [0, 1, block - 1, block, block + 1, 10 * block, 10 * block + 12345]

    @Test("raw -> gzip is one member that gzip -dc and GzipDecoder read back byte-identical",
          arguments: [1, 2], lengths)
    func roundTrip(threads: Int, length: Int) throws {
        // Level 6 (ISA-L level 3), 1 (ISA-L 1), 3 (ISA-L 2) and 9 (zlib).
        for level in length > 2 * Self.block ? [6, 1, 3, 9] : [6, 9] {
            try roundTrip(threads: threads, length: length, level: level)
        }
    }

    func roundTrip(threads: Int, length: Int, level: Int) throws {
        let input = Self.guestLikeBytes(count: length)
        let compressed = try Self.compress(input, threads: threads, pieces: [1 << 20, 77, 4096, 1, 300_000], level: level)
        #expect(Array(compressed.prefix(3)) == [0x1f, 0x8b, 0x08])
        // One member: the trailer's ISIZE is the whole input's length and its CRC-32 is zlib's for the whole input.
        #expect(Self.littleEndian(compressed.suffix(4)) == UInt32(truncatingIfNeeded: length))
        #expect(Self.littleEndian(compressed.suffix(8).prefix(4)) == Self.crc32(input))
        let external = try StreamFixtures.run("/usr/bin/gzip", ["-dc"], input: compressed)
        #expect(external.status == 0)
        #expect(external.output == input)
        #expect(try Self.decode(compressed) == input, "level \(level)")
    }

    @Test("the decoder reads what gzip writes: a stored name, several members, trailing zeros; it rejects a bad CRC")
    func decoderOnGzipOutput() throws {
        let directory = try TemporaryDirectory()
        let first = Self.guestLikeBytes(count: 300_000)
        let second = Array(first.reversed().prefix(70_001))
        let named = try directory.write("named-file.raw", first)
        let one = try StreamFixtures.run("/usr/bin/gzip", ["-9", "-c", named], input: [])  // FNAME set
        #expect(one.status == 0 && one.output[3] & 0x08 != 0)
        let two = try StreamFixtures.run("/usr/bin/gzip", ["-1", "-c"], input: second)
        #expect(try Self.decode(one.output + two.output) == first + second)
        // Zeros after the last member are ignored, as gzip -dc does (with a warning).
        let decoder = try GzipDecoder()
        let padded = one.output + [UInt8](repeating: 0, count: 5000)
        var output: [UInt8] = []
        let all = Self.copied(padded)
        defer { all.deallocate() }
        try decoder.process(UnsafeRawBufferPointer(all), output: { output += $0 })
        try decoder.finish(output: { output += $0 })
        #expect(output == first && decoder.trailingBytes == 5000)
        // A flipped CRC byte in the trailer is an error, not silently accepted.
        var corrupt = one.output
        corrupt[corrupt.count - 6] ^= 0x40
        let error = #expect(throws: SaveImageError.self) { _ = try Self.decode(corrupt) }
        #expect(error?.found.contains("incorrect data check") == true, "\(String(describing: error))")
        // Truncated: an error at finish.
        #expect(throws: SaveImageError.self) { _ = try Self.decode(Array(one.output.dropLast(3))) }
    }

    @Test("each block is primed with the previous 32 KiB: a repeated 1000-byte pattern compresses as well as with gzip -6")
    func dictionaryCarriesAcrossBlocks() throws {
        var pattern: [UInt8] = []
        var state: UInt64 = 0x1234_5678_9abc_def1
        while pattern.count < 1000 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            pattern.append(UInt8(truncatingIfNeeded: state))
        }
        let input = Array([[UInt8]](repeating: pattern, count: 16 * Self.block / 1000 + 1).joined())
        let compressed = try Self.compress(input, threads: 2, pieces: [1 << 20])
        // Single-threaded gzip -6 as the yardstick: without the dictionary each of the 16 blocks would
        // carry the 1000 random bytes again as literals (16 KB more on gzip's ~22 KB).
        let gzip = try StreamFixtures.run("/usr/bin/gzip", ["-6", "-c"], input: input)
        #expect(gzip.status == 0)
        #expect(compressed.count < gzip.output.count + gzip.output.count / 10)
        #expect(try Self.decode(compressed) == input)
    }

    static func compress(_ input: [UInt8], threads: Int, pieces: [Int], level: Int = 6) throws -> [UInt8] {
        let encoder = try ParallelGzipEncoder(level: level, threads: threads)
        var output: [UInt8] = []
        let collect: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void = { output += $0 }
        let all = copied(input)
        defer { all.deallocate() }
        var offset = 0, turn = 0
        while offset < all.count {
            let count = min(pieces[turn % pieces.count], all.count - offset)
            try encoder.process(UnsafeRawBufferPointer(rebasing: all[offset..<(offset + count)]), output: collect)
            offset += count
            turn += 1
        }
        try encoder.finish(output: collect)
        return output
    }

    static func decode(_ compressed: [UInt8]) throws -> [UInt8] {
        let decoder = try GzipDecoder()
        var output: [UInt8] = []
        let collect: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void = { output += $0 }
        let all = copied(compressed)
        defer { all.deallocate() }
        try decoder.process(UnsafeRawBufferPointer(all), output: collect)
        try decoder.finish(output: collect)
        #expect(decoder.trailingBytes == 0)
        return output
    }

    /// A heap copy of `bytes` (the codecs take raw buffers).
    static func copied(_ bytes: [UInt8]) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
        buffer.copyBytes(from: bytes)
        return buffer
    }

    /// Zero, text-like and random 4 KiB pages, deterministic.
    static func guestLikeBytes(count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        let words = Array("kernel page struct return memory the of 0x0000 save restore ".utf8)
        var page = 0
        while bytes.count < count {
            for index in 0..<4096 {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                switch page % 3 {
                case 0: bytes.append(0)
                case 1: bytes.append(words[(index + Int(state % 7)) % words.count])
                default: bytes.append(UInt8(truncatingIfNeeded: state))
                }
            }
            page += 1
        }
        return Array(bytes.prefix(count))
    }

    static func littleEndian<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// CRC-32 (IEEE, reflected) from its own table: independent of zlib.
    static let crcTable: [UInt32] = (0..<256).map { (index: UInt32) in
        var crc = index
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
        return crc
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8) }
        return ~crc
    }
}
