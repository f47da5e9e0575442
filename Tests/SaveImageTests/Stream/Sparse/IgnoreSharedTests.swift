import Foundation
import Testing
@testable import SaveImage

/// QEMU 11.0's mapped-ram with `x-ignore-shared`: each block list entry carries
/// the block's guest address before its header, and a block backed by shared
/// memory is skipped (`bitmap_offset = pages_offset = 0`, no bitmap, no pages).
/// The fixture is a real QEMU 11.1 stream behind the 12.8 sparse fixture's
/// libvirt header (scripts/lab/ignore-shared-check.sh, which also measured
/// what each libvirt says when it restores one: it never does).
@Suite("Sparse: QEMU 11.1's mapped-ram with x-ignore-shared")
struct IgnoreSharedTests {
    static let image = "qemu111-ignore-shared-sparse.sav"

    @Test("the layout: pc.ram is skipped (offsets 0, no bitmap) and the next entry follows its header; every block has its address")
    func layout() throws {
        let directory = try TemporaryDirectory()
        let layout = try SparseFixtures.layout(try SparseFixtures.unpack(Self.image, into: directory))
        #expect(layout.configuration.capabilities.contains("x-ignore-shared"))
        #expect(layout.blocks.filter(\.isSkipped).map(\.name) == ["pc.ram"])
        #expect(layout.blocks.allSatisfy { $0.guestAddress != nil })
        let index = try #require(layout.blocks.firstIndex { $0.name == "pc.ram" })
        let ram = layout.blocks[index]
        #expect(ram.guestAddress == 0 && ram.bitmapOffset == 0 && ram.pagesOffset == 0)
        #expect(ram.bitmap.isEmpty && ram.pagesPresent == 0 && ram.holes == 0 && ram.pageCount == 8192)
        // The entry is name, size, address and the 28-byte header, and nothing else follows it.
        #expect(ram.headerOffset == ram.entryOffset + 1 + UInt64(ram.name.utf8.count) + 8 + 8)
        #expect(ram.pagesEnd == ram.headerOffset + 28)
        if index + 1 < layout.blocks.count { #expect(layout.blocks[index + 1].entryOffset == ram.pagesEnd) }
        // The blocks QEMU did write keep their bitmaps and 1 MiB-aligned pages.
        for block in layout.blocks where !block.isSkipped {
            #expect(block.pagesOffset % MappedRAMLayout.alignment == 0 && !block.bitmap.isEmpty, "\(block.name)")
        }
    }

    @Test("check --deep walks it to QEMU_VM_EOF with the addresses in the block list; pc.ram sends no page")
    func deepCheck() throws {
        let directory = try TemporaryDirectory()
        let report = try DeepCheck.run(path: try SparseFixtures.unpack(Self.image, into: directory))
        #expect(report.isValid, "\(report.problems)")
        #expect(report.stream.capabilities.contains("x-ignore-shared"))
        #expect(report.stream.ramBlocks.first { $0.name == "pc.ram" }?.guestAddress == 0)
        #expect(report.sparse?.blocks.first { $0.name == "pc.ram" }?.skipped == true)
        #expect(report.sparse?.blocks.filter { $0.skipped == false }.count == report.sparse.map { $0.blocks.count - 1 })
    }

    @Test("sparse -> raw keeps the addresses and sends no page of the skipped block; raw -> sparse is refused, the file untouched")
    func conversions() throws {
        let directory = try TemporaryDirectory()
        let input = try SparseFixtures.unpack(Self.image, into: directory)
        let raw = directory.path + "/raw.sav"
        _ = try SaveImageConverter.convert(input: input, output: raw, request: ConversionRequest(format: .raw))
        let report = try DeepCheck.run(path: raw)
        #expect(report.isValid, "\(report.problems)")
        #expect(report.stream.ramBlocks.map(\.guestAddress).allSatisfy { $0 != nil })
        // Pages: the present and zero pages of the written blocks only (pc.ram's 8192 are in shared memory).
        let sparse = try SparseFixtures.layout(input)
        #expect(report.stream.pages + report.stream.zeroPages == sparse.blocks.filter { !$0.isSkipped }.reduce(0) { $0 + $1.pageCount })
        let back = directory.path + "/back.sav"
        #expect(throws: SaveImageError.self) {
            _ = try SaveImageConverter.convert(input: raw, output: back, request: ConversionRequest(format: .sparse))
        }
        #expect(!FileManager.default.fileExists(atPath: back))
    }

    @Test("the same bytes without x-ignore-shared in the capability list are refused with an offset (zero offsets mean nothing there)")
    func zeroOffsetsNeedTheCapability() throws {
        let directory = try TemporaryDirectory()
        let path = try SparseFixtures.unpack(Self.image, into: directory)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(200_000))
        let name = Array("x-ignore-shared".utf8)
        let at = try #require((0...(bytes.count - name.count)).first { Array(bytes[$0..<($0 + name.count)]) == name })
        try SparseFixtures.patch(path, at: UInt64(at + name.count - 1), Array("x".utf8))  // "x-ignore-sharex": not the capability
        let error = #expect(throws: SaveImageError.self) { try SparseFixtures.layout(path) }
        #expect(error?.offset != nil && error?.code == .badStream, "\(String(describing: error))")
    }

    @Test("verify: every libvirt refuses x-ignore-shared, in its own words (measured on the four labs)",
          arguments: [("7.0", "Capability x-ignore-shared is off, but received capability is on"),
                      ("9.0", "Capability x-ignore-shared is off, but received capability is on"),
                      ("11.3", "job 'start' failed: load of migration failed: Invalid argument"),
                      ("12.8", "job 'start' failed: load of migration failed: Invalid argument: post load hook failed for: configuration, "
                          + "version_id: 1, minimum_version: 0: Failed to validate capabilities")])
    func verdict(_ lab: String, _ message: String) throws {
        let directory = try TemporaryDirectory()
        let path = try SparseFixtures.unpack(Self.image, into: directory)
        let verdict = try VerifyTargetCaptureTests.verifier(lab).verify(path: path)
        #expect(verdict.outcome == .willFail)
        let reason = try #require(verdict.reasons.first { $0.code == .streamCapabilityMismatch })
        #expect(reason.severity == .restoreFails && reason.libvirtMessage == message)
        #expect(reason.offset == (try SaveImage(contentsOf: path)).streamOffset + 8)
    }

    @Test("a stream without x-ignore-shared gets no such reason (the 12.8 sparse fixture and every raw one)")
    func noFalseAlarm() throws {
        let verifier = try VerifyTargetCaptureTests.verifier("12.8")
        for name in ["qemu64-raw.sav", "qemu64-zstd.sav", "qemu64-m52-raw.sav"] {
            let verdict = verifier.verify(path: Fixtures.testdata + "/libvirt-12.8/" + name)
            #expect(!verdict.reasons.contains { $0.code == .streamCapabilityMismatch }, "\(name)")
        }
    }

    @Test("export-memory refuses: the skipped RAM is not in the image, and zeros would pass for it")
    func exportRefuses() throws {
        let directory = try TemporaryDirectory()
        let path = try SparseFixtures.unpack(Self.image, into: directory)
        let output = directory.path + "/core.elf"
        let result = Result { () throws(SaveImageError) in try MemoryExport.run(path: path, request: .init(output: output)) }
        guard case .failure(let error) = result else { Issue.record("exported a core whose RAM is not in the image"); return }
        #expect(error.field == "configuration/capabilities" && error.found.contains("x-ignore-shared"), "\(error)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
