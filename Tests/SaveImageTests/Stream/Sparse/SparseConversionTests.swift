import Foundation
import Testing
@testable import SaveImage

@Suite("Sparse (mapped-ram) images: convert and the guest-state digest")
struct SparseConversionTests {
    @Test("sparse -> raw -> sparse gives back QEMU's file byte for byte", arguments: SparseFixtures.allSparseImages)
    func roundTripIsIdentical(image: String) throws {
        let directory = try TemporaryDirectory()
        let path = try SparseFixtures.unpack(image, into: directory)
        let raw = directory.path + "/raw.sav", back = directory.path + "/back.sav"
        _ = try SaveImageConverter.convert(input: path, output: raw, request: ConversionRequest(format: .raw))
        _ = try SaveImageConverter.convert(input: raw, output: back, request: ConversionRequest(format: .sparse))
        #expect(try SparseFixtures.sha256(back) == (try SparseFixtures.sha256(path)))
        #expect(try #require(FileStatus(following: back)?.allocatedBytes) < 2 << 20)
    }

    @Test("one saved state has one guest-state digest in every format and after every convert")
    func digestSurvivesConversions() throws {
        let directory = try TemporaryDirectory()
        let input = SparseFixtures.path("qemu64-raw.sav")
        let expected = try #require(try DeepCheck.run(path: input).stateSha256)
        var previous = input
        for (index, format) in [CompressionFormat.gzip, .sparse, .zstd, .sparse, .bzip2, .xz, .lzop, .sparse, .raw].enumerated() {
            let next = directory.path + "/\(index)-\(format).sav"
            _ = try SaveImageConverter.convert(input: previous, output: next, request: ConversionRequest(format: format))
            let report = try DeepCheck.run(path: next)
            #expect(report.isValid, "\(format): \(report.problems.map(\.message))")
            #expect(report.stateSha256 == expected, "\(format)")
            previous = next
        }
        // The metadata came through unchanged.
        #expect(try StreamFixtures.file(previous).prefix(66_895) == (try StreamFixtures.file(input)).prefix(66_895))
    }

    @Test("capabilities: a sparse stream claims mapped-ram, a converted-out one does not")
    func capabilities() throws {
        let directory = try TemporaryDirectory()
        let sparse = directory.path + "/s.sav", raw = directory.path + "/r.sav"
        _ = try SaveImageConverter.convert(input: SparseFixtures.path("qemu64-m72-raw.sav"), output: sparse,
                                           request: ConversionRequest(format: .sparse))
        #expect(try DeepCheck.run(path: sparse).stream.capabilities == ["mapped-ram"])
        #expect(try SaveImage(contentsOf: sparse).header.format == .sparse)
        _ = try SaveImageConverter.convert(input: sparse, output: raw, request: ConversionRequest(format: .raw))
        let report = try DeepCheck.run(path: raw)
        #expect(report.stream.capabilities.isEmpty)
        #expect(report.stream.machineType == "pc-i440fx-7.2")
        let bytes = try StreamFixtures.file(raw)
        #expect(!bytes.starts(with: Array("mapped-ram".utf8)) && !String(decoding: bytes.prefix(70_000), as: UTF8.self).contains("mapped-ram"))
    }

    @Test("QEMU 7.2 streams (libvirt 9.0) convert to sparse and back with the same guest state",
          arguments: ["qemu64-raw-running.sav", "qemu64-gzip.sav", "qemu64-xz.sav", "westmere-raw.sav"])
    func qemu72Streams(name: String) throws {
        let directory = try TemporaryDirectory()
        let sparse = directory.path + "/s.sav", raw = directory.path + "/r.sav"
        let expected = try #require(try DeepCheck.run(path: Fixtures.path(name)).stateSha256)
        _ = try SaveImageConverter.convert(input: Fixtures.path(name), output: sparse, request: ConversionRequest(format: .sparse))
        let report = try DeepCheck.run(path: sparse)
        #expect(report.isValid && report.stateSha256 == expected)
        let layout = try SparseFixtures.layout(sparse)
        #expect(layout.blocks.allSatisfy { $0.pagesOffset % 0x100000 == 0 })
        _ = try SaveImageConverter.convert(input: sparse, output: raw, request: ConversionRequest(format: .zstd))
        #expect(try DeepCheck.run(path: raw).stateSha256 == expected)
    }

    @Test("a guest-state seal survives conversion into and out of sparse; an old stream-bytes seal still verifies")
    func seals() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.sav", try StreamFixtures.file(SparseFixtures.path("qemu64-raw.sav")))
        let sealed = try CLI.run(["seal", input])
        #expect(sealed.status == 0, "\(sealed.stderr)")
        let seal = try #require(SaveImageSeal.find(in: try SaveImage(contentsOf: input)))
        #expect(seal.digest == .guestState)
        let sparse = directory.path + "/s.sav", gzip = directory.path + "/g.sav"
        _ = try SaveImageConverter.convert(input: input, output: sparse, request: ConversionRequest(format: .sparse))
        _ = try SaveImageConverter.convert(input: sparse, output: gzip, request: ConversionRequest(format: .gzip))
        for path in [sparse, gzip] {
            let report = try DeepCheck.run(path: path)
            #expect(report.sealMatches == true && report.isValid)
        }
        // A seal as older saveimg wrote it: SHA-256 of the stream bytes, no digest attribute.
        let old = try directory.write("old.sav", try StreamFixtures.file(SparseFixtures.path("qemu64-zstd.sav")))
        let before = try DeepCheck.run(path: old)
        let legacy = SaveImageSeal(sha256: before.sha256, bytes: before.rawStreamBytes)
        #expect(!String(decoding: legacy.document, as: UTF8.self).contains("digest="))
        _ = try ImageEditor(path: old).run { (image) throws(SaveImageError) in try image.addingExtension(legacy.document) }
        let after = try DeepCheck.run(path: old)
        #expect(after.seal?.digest == .streamBytes && after.sealMatches == true)
        // Sealing a sparse image works too.
        let fresh = try SparseFixtures.unpack("westmere-sparse.sav", into: directory)
        #expect(try CLI.run(["seal", fresh]).status == 0)
        #expect(try DeepCheck.run(path: fresh).sealMatches == true)
    }

    @Test("converting into sparse keeps zero pages as holes: a page of zeros is never written")
    func zeroPagesAreHoles() throws {
        let directory = try TemporaryDirectory()
        let sparse = directory.path + "/s.sav"
        _ = try SaveImageConverter.convert(input: SparseFixtures.path("qemu64-raw.sav"), output: sparse,
                                           request: ConversionRequest(format: .sparse))
        let layout = try SparseFixtures.layout(sparse)
        let file = try PositionalFile(openingForReading: sparse)
        var allocated = 0
        for block in layout.blocks {
            for page in 0..<block.pageCount where !block.isPresent(page) {
                // A hole reads as zeros.
                let bytes = try file.read(at: block.pagesOffset + page * 4096, count: 4096)
                #expect(bytes.allSatisfy { $0 == 0 })
            }
            allocated += Int(block.pagesPresent)
        }
        #expect(allocated == 101)
        #expect(try #require(FileStatus(following: sparse)?.allocatedBytes) < 1 << 20)
    }
}
