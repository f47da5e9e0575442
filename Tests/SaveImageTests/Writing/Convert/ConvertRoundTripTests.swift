import Foundation
import Testing
@testable import SaveImage

@Suite("Convert round trips")
struct ConvertRoundTripTests {
    static let compressed: [CompressionFormat] = [.gzip, .bzip2, .xz, .lzop, .zstd]

    @Test("raw -> F -> raw is byte-identical; F's metadata is the input's but for the format word",
          arguments: compressed)
    func roundTrip(format: CompressionFormat) throws {
        let directory = try TemporaryDirectory()
        let original = try Fixtures.bytes("qemu64-raw-running.sav")
        let input = try directory.write("in.sav", original)
        let middle = directory.path + "/mid.sav", back = directory.path + "/back.sav"
        let there = try SaveImageConverter.convert(input: input, output: middle,
                                                   request: ConversionRequest(format: format, options: CompressionOptions(threads: 2)))
        #expect(there.toFormat == format.description)
        let converted = try StreamFixtures.file(middle)
        // Header: only the format word differs; data region byte-identical.
        var expectedHeader = Array(original[..<92])
        expectedHeader.setWord(format.rawValue, at: 28)
        #expect(Array(converted[..<92]) == expectedHeader)
        let (metadata, stream) = StreamFixtures.split(original)
        #expect(Array(converted[92..<metadata.count]) == Array(metadata[92...]))
        #expect(converted.count != original.count)
        // The program libvirt restores with reads it back.
        let decoded = try StreamFixtures.run("/usr/bin/\(format.description)", ["-dc"], input: Array(converted[metadata.count...]))
        #expect(decoded.status == 0)
        #expect(decoded.output == stream)
        _ = try SaveImageConverter.convert(input: middle, output: back, request: ConversionRequest(format: .raw))
        #expect(try StreamFixtures.file(back) == original)
    }

    @Test("parallel gzip over several batches is one gzip member that gzip -dc reads", arguments: [1, 2, 3])
    func parallelGzip(threads: Int) throws {
        let directory = try TemporaryDirectory()
        let original = try StreamFixtures.largeRawImage()
        let input = try directory.write("big.sav", original)
        let gz = directory.path + "/big.gz.sav", back = directory.path + "/back.sav"
        _ = try SaveImageConverter.convert(input: input, output: gz, request: ConversionRequest(
            format: .gzip, options: CompressionOptions(level: 6, threads: threads)))
        let (metadata, stream) = StreamFixtures.split(original)
        let compressed = Array(try StreamFixtures.file(gz)[metadata.count...])
        let decoded = try StreamFixtures.run("/usr/bin/gzip", ["-dc"], input: compressed)
        #expect(decoded.status == 0)
        #expect(decoded.output == stream)
        // One member: the trailer's ISIZE is the whole stream's length.
        #expect(compressed.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) } == stream.count)
        _ = try SaveImageConverter.convert(input: gz, output: back, request: ConversionRequest(format: .raw))
        #expect(try StreamFixtures.file(back) == original)
    }

    @Test("big-endian header and version 1 keep the data region; libvirt's reader accepts them")
    func byteOrderAndVersion() throws {
        let directory = try TemporaryDirectory()
        let original = try Fixtures.bytes("westmere-raw.sav")
        let input = try directory.write("in.sav", original)
        let output = directory.path + "/out.sav"
        _ = try SaveImageConverter.convert(input: input, output: output,
                                           request: ConversionRequest(format: .raw, byteOrder: .big, version: 1))
        let converted = try StreamFixtures.file(output)
        #expect(converted.count == original.count)
        #expect(Array(converted[92...]) == Array(original[92...]))
        #expect(Array(converted[16..<20]) == [0, 0, 0, 1])
        #expect(Array(converted[20..<24]) == Array(original[20..<24]).reversed())
        let image = try SaveImage(contentsOf: output)
        #expect(image.header.byteOrder == .big)
        #expect(image.header.version == 1)
        #expect(image.cookie?.cpu?.model == "Westmere")
    }

    @Test("version 1 with a compressed format is refused and writes nothing")
    func versionOneCompressed() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.sav", try Fixtures.bytes("qemu64-raw-running.sav"))
        #expect(throws: SaveImageError.self) {
            try SaveImageConverter.convert(input: input, output: directory.path + "/out.sav",
                                           request: ConversionRequest(format: .gzip, version: 1))
        }
        #expect(try StreamFixtures.listing(directory.path) == ["in.sav"])
    }

    @Test("a damaged gzip stream fails with its file offset, leaves no output and the input untouched")
    func failureLeavesNothing() throws {
        let directory = try TemporaryDirectory()
        let original = try Fixtures.bytes("qemu64-gzip.sav")
        let cut = Array(original.prefix(original.count - 50_000))
        let input = try directory.write("cut.sav", cut)
        do {
            _ = try SaveImageConverter.convert(input: input, output: directory.path + "/out.sav",
                                               request: ConversionRequest(format: .xz))
            Issue.record("a truncated gzip stream converted")
        } catch {
            #expect(error.code == .badStream)
            #expect(error.path == input)
            #expect(error.offset == UInt64(cut.count))
        }
        #expect(try StreamFixtures.listing(directory.path) == ["cut.sav"])
        #expect(try StreamFixtures.file(input) == cut)
    }

    @Test("a header format that does not match the stream is refused")
    func formatMismatch() throws {
        let directory = try TemporaryDirectory()
        var bytes = try Fixtures.bytes("qemu64-raw-running.sav")
        bytes.setWord(1, at: 28)  // says gzip, stream is raw
        let input = try directory.write("lie.sav", bytes)
        #expect(throws: SaveImageError.self) {
            try SaveImageConverter.convert(input: input, output: directory.path + "/out.sav",
                                           request: ConversionRequest(format: .raw))
        }
        #expect(try StreamFixtures.listing(directory.path) == ["lie.sav"])
    }

    @Test("OUT == IN converts in place, keeping the file's mode")
    func inPlace() throws {
        let directory = try TemporaryDirectory()
        let original = try Fixtures.bytes("nocpu-raw.sav")
        let path = try directory.write("vm.sav", original)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        _ = try SaveImageConverter.convert(input: path, output: path, request: ConversionRequest(format: .zstd))
        #expect(try SaveImage(contentsOf: path).header.format == .zstd)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o640)
        _ = try SaveImageConverter.convert(input: path, output: path, request: ConversionRequest(format: .raw))
        #expect(try StreamFixtures.file(path) == original)
        #expect(try StreamFixtures.listing(directory.path) == ["vm.sav"])
    }
}
