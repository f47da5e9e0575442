import Foundation
import Testing
@testable import SaveImage

@Suite("Stream deep check")
struct StreamDeepCheckTests {
    @Test("libvirt's raw, gzip and xz images walk to QEMU_VM_EOF and the VM description",
          arguments: Fixtures.libvirt90Images)
    func fixtures(name: String) throws {
        let report = try DeepCheck.run(path: Fixtures.path(name))
        #expect(report.problems.isEmpty)
        #expect(report.isValid)
        #expect(report.stream.machineType == "pc-i440fx-7.2")
        #expect(report.stream.ramBlocks.first == .init(name: "pc.ram", size: 32 << 20))
        #expect(report.stream.sections.first?.name == "ram")
        #expect(report.stream.pages + report.stream.zeroPages >= 8192)  // 32 MiB of 4 KiB pages
        let devices = try #require(report.stream.description).devices.map(\.name)
        #expect(devices.contains("cpu"))
        // Every device section but ram is in the description.
        #expect(Set(report.stream.sections.map(\.name)).subtracting(["ram"]).isSubset(of: Set(devices)))
    }

    @Test("the digest is the raw stream's, the same through every format", arguments: [CompressionFormat.gzip, .xz, .bzip2])
    func digestSurvivesConversion(format: CompressionFormat) throws {
        let directory = try TemporaryDirectory()
        let raw = Fixtures.path("qemu64-raw-running.sav")
        let rawReport = try DeepCheck.run(path: raw)
        let (_, stream) = StreamFixtures.split(try Fixtures.bytes("qemu64-raw-running.sav"))
        let external = try StreamFixtures.run("/usr/bin/sha256sum", [], input: stream)
        #expect(String(decoding: external.output.prefix(64), as: UTF8.self) == rawReport.sha256)
        #expect(rawReport.rawStreamBytes == UInt64(stream.count))
        let output = directory.path + "/c.sav"
        _ = try SaveImageConverter.convert(input: raw, output: output, request: ConversionRequest(format: format))
        let report = try DeepCheck.run(path: output)
        #expect(report.isValid)
        #expect(report.sha256 == rawReport.sha256)
    }

    @Test("a raw stream cut short is reported as truncated at the cut")
    func truncatedRaw() throws {
        let bytes = try Fixtures.bytes("qemu64-raw-running.sav")
        let (metadata, stream) = StreamFixtures.split(bytes)
        let directory = try TemporaryDirectory()
        let path = try directory.write("cut.sav", Array(bytes.prefix(metadata.count + stream.count / 2)))
        let report = try DeepCheck.run(path: path)
        #expect(!report.isValid)
        let problem = try #require(report.problems.first)
        #expect(problem.found.contains("truncated"))
        #expect(problem.rawStreamOffset == UInt64(stream.count / 2))
        #expect(problem.fileOffset == UInt64(metadata.count + stream.count / 2))
        #expect(problem.field.contains("ram"))
    }

    @Test("a gzip stream cut short: the decoder's error at the file's end, then the walker's truncation")
    func truncatedGzip() throws {
        let bytes = try Fixtures.bytes("qemu64-gzip.sav")
        let directory = try TemporaryDirectory()
        let path = try directory.write("cut.sav", Array(bytes.prefix(bytes.count - 100_000)))
        let report = try DeepCheck.run(path: path)
        #expect(!report.isValid)
        #expect(report.problems.count == 2)
        #expect(report.problems.first?.fileOffset == UInt64(bytes.count - 100_000))
        #expect(report.problems.last?.rawStreamOffset == report.rawStreamBytes)
    }

    @Test("a compressed stream cut short is walked as far as it decodes, not from nothing",
          arguments: ["qemu64-gzip.sav", "qemu64-xz.sav"])
    func truncatedCompressedKeepsDecodedPrefix(name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let (metadata, compressed) = StreamFixtures.split(bytes)
        let directory = try TemporaryDirectory()
        let path = try directory.write("cut.sav", Array(bytes.prefix(metadata.count + compressed.count / 2)))
        let report = try DeepCheck.run(path: path)
        #expect(!report.isValid)
        // The decoded prefix reached the walker: the stream header and machine type were read.
        #expect(report.rawStreamBytes > 0)
        #expect(report.stream.machineType == "pc-i440fx-7.2")
        // And it is the real stream's prefix: the same bytes as `gzip -dc` / `xz -dc` of the uncut stream.
        let program = name.contains("gzip") ? "/usr/bin/gzip" : "/usr/bin/xz"
        let raw = try StreamFixtures.run(program, ["-dc"], input: compressed).output
        #expect(report.rawStreamBytes < UInt64(raw.count))
        let prefix = Array(raw.prefix(Int(report.rawStreamBytes)))
        let external = try StreamFixtures.run("/usr/bin/sha256sum", [], input: prefix)
        #expect(String(decoding: external.output.prefix(64), as: UTF8.self) == report.sha256)
        #expect(report.problems.last?.rawStreamOffset == report.rawStreamBytes)
    }

    @Test("garbage in place of a section header is reported at its offset")
    func garbageSection() throws {
        var bytes = try Fixtures.bytes("qemu64-raw-running.sav")
        let (metadata, stream) = StreamFixtures.split(bytes)
        // The first PART of the ram section (id 3) follows the START section's footer.
        let footerThenPart: [UInt8] = [0x7e, 0, 0, 0, 3, 0x02, 0, 0, 0, 3]
        let at = try #require((0..<(stream.count - 10)).first { Array(stream[$0..<($0 + 10)]) == footerThenPart }) + 5
        bytes[metadata.count + at] = 0x55
        let directory = try TemporaryDirectory()
        let report = try DeepCheck.run(path: directory.write("bad.sav", bytes))
        let problem = try #require(report.problems.first)
        #expect(problem.rawStreamOffset == UInt64(at))
        #expect(problem.found == "0x55")
        #expect(report.rawStreamBytes == UInt64(stream.count))  // still hashed to the end
    }

    @Test("a corrupted RAM page flag is reported at the page record")
    func garbageFlags() throws {
        var bytes = try Fixtures.bytes("qemu64-raw-running.sav")
        let (metadata, stream) = StreamFixtures.split(bytes)
        // The first page record after the first PART header: u64 with PAGE flag and block "pc.ram".
        let record: [UInt8] = [0x02, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x06]
        let at = try #require((0..<(stream.count - 14)).first { Array(stream[$0..<($0 + 14)]) == record }) + 5
        bytes[metadata.count + at + 6] = 0x0f  // flag bits 0xf08: unknown flags
        let directory = try TemporaryDirectory()
        let report = try DeepCheck.run(path: directory.write("bad.sav", bytes))
        let problem = try #require(report.problems.first)
        #expect(problem.rawStreamOffset == UInt64(at))
        #expect(problem.expected == "RAM page flags")
    }

    @Test("seal: the digest is stored in the chain, verified, and a changed page fails the check")
    func seal() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("vm.sav", try Fixtures.bytes("qemu64-raw-running.sav"))
        let first = try DeepCheck.run(path: path)
        #expect(first.seal == nil && first.sealMatches == nil)
        let seal = SaveImageSeal(sha256: first.sha256, bytes: first.rawStreamBytes)
        _ = try ImageEditor(path: path).run { (image) throws(SaveImageError) in try image.addingExtension(seal.document) }
        let sealed = try DeepCheck.run(path: path)
        #expect(sealed.seal?.sha256 == first.sha256)
        #expect(sealed.sealMatches == true)
        #expect(sealed.isValid)
        // Flip one byte inside the first RAM page's data: the structure still walks, the seal does not match.
        var bytes = try StreamFixtures.file(path)
        let image = try SaveImage(contentsOf: path)
        let page = Int(image.streamOffset) + 200
        bytes[page] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let changed = try DeepCheck.run(path: path)
        #expect(changed.problems.isEmpty)
        #expect(changed.sealMatches == false)
        #expect(!changed.isValid)
    }
}
