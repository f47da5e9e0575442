import Testing
@testable import SaveImage

@Suite("Stream prelude from compressed images")
struct StreamPreludeTests {
    @Test("machine type and stream version of libvirt's own raw, gzip and xz images",
          arguments: ["qemu64-raw-running.sav", "qemu64-gzip.sav", "qemu64-xz.sav", "westmere-raw.sav"])
    func fixtures(name: String) throws {
        let prelude = try #require(try SaveImage(contentsOf: Fixtures.path(name)).streamPrelude)
        #expect(prelude.version == 3)
        #expect(prelude.machineType == "pc-i440fx-7.2")
    }

    @Test("machine type of converted bzip2 and zstd images", arguments: [CompressionFormat.bzip2, .zstd])
    func converted(format: CompressionFormat) throws {
        let directory = try TemporaryDirectory()
        let output = directory.path + "/out.sav"
        _ = try SaveImageConverter.convert(input: Fixtures.path("usernet-raw.sav"), output: output,
                                           request: ConversionRequest(format: format))
        let image = try SaveImage(contentsOf: output)
        #expect(image.streamSignature.impliedFormat == format)
        #expect(image.streamPrelude?.machineType == "pc-i440fx-7.2")
    }

    @Test("a stream that is not QEMU's gives no prelude")
    func garbage() throws {
        var bytes = try Fixtures.bytes("qemu64-raw-running.sav")
        let (metadata, _) = StreamFixtures.split(bytes)
        bytes.replaceSubrange(metadata.count..<(metadata.count + 4), with: Array("QEVX".utf8))
        let directory = try TemporaryDirectory()
        #expect(try SaveImage(contentsOf: directory.write("x.sav", bytes)).streamPrelude == nil)
    }
}
