import Foundation
import Testing
@testable import SaveImage

@Suite("Sparse (mapped-ram) images: reading and check --deep")
struct SparseReadingTests {
    @Test("the layout is what QEMU 10 wrote: headers, 1 MiB-aligned pages, bitmap after each header",
          arguments: SparseFixtures.allSparseImages)
    func layoutMatchesQEMU(image: String) throws {
        let directory = try TemporaryDirectory()
        let path = try SparseFixtures.unpack(image, into: directory)
        let layout = try SparseFixtures.layout(path)
        #expect(layout.configuration.capabilities.contains("mapped-ram"))
        #expect(layout.blocks.map(\.name).prefix(3) == ["pc.ram", "pc.bios", "pc.rom"])
        #expect(layout.blocks.reduce(0) { $0 + $1.size } == layout.totalRAM)
        var entry = layout.ramSectionOffset + UInt64(layout.ramSectionHeader.count) + 8
        for block in layout.blocks {
            #expect(block.entryOffset == entry)
            #expect(block.version == 1 && block.pageSize == 4096)
            #expect(block.bitmapOffset == block.headerOffset + 28)
            #expect(block.pagesOffset % MappedRAMLayout.alignment == 0)
            #expect(block.pagesOffset == (block.bitmapOffset + block.bitmapSize + 0xfffff) / 0x100000 * 0x100000)
            #expect(block.pagesPresent + block.holes == block.size / 4096)
            entry = block.pagesOffset + block.size
        }
        #expect(layout.deviceStateOffset == entry)
        // The device state starts with the RAM section's EOS and footer.
        let file = try PositionalFile(openingForReading: path)
        #expect(try file.read(at: layout.deviceStateOffset, count: 13)
                == [0, 0, 0, 0, 0, 0, 0, 0x10, 0x7e] + SparseFixtures.bigEndian(UInt64(layout.ramSectionID), width: 4))
        #expect(layout.pagesPresent > 50 && layout.holes > 8000)
        // Sparse on disk: far less allocated than apparent.
        let summary = SparseImageSummary(layout)
        #expect(try #require(summary.allocatedBytes) < summary.apparentBytes / 10)
    }

    @Test("the layout and raw stream read from memory are the file's (the fuzzer's path)", arguments: SparseFixtures.allSparseImages)
    func inMemoryMatchesFile(image: String) throws {
        let directory = try TemporaryDirectory()
        let path = try SparseFixtures.unpack(image, into: directory)
        let onDisk = try SparseFixtures.layout(path)
        let memory = InMemoryFile(try Array(Data(contentsOf: URL(fileURLWithPath: path))), path: path)
        let inMemory = try MappedRAMLayout.read(memory, streamOffset: onDisk.streamOffset)
        #expect(inMemory == onDisk)
        // The image read from memory keeps its reader: its stream is walked without a file.
        let stream = try SaveImage(reading: memory).stream
        let walk = try StreamWalk(source: stream, layout: inMemory)
        let report = try DeepCheck.run(path: path)
        #expect(walk.failure == nil && walk.sourceFailure == nil && walk.summary.reachedEOF)
        #expect(walk.sha256 == report.sha256 && walk.rawStreamBytes == report.rawStreamBytes)
        #expect(walk.summary == report.stream)
        // Without the digest (the fuzzer's choice): the same walk, no SHA-256.
        let unhashed = try StreamWalk(source: stream, hashing: false, layout: inMemory)
        #expect(unhashed.sha256 == nil && walk.sha256 != nil)
        #expect(unhashed.summary == walk.summary && unhashed.rawStreamBytes == walk.rawStreamBytes
                && unhashed.trailingBytes == walk.trailingBytes)
    }

    @Test("check --deep walks every sparse image libvirt 11.3 wrote to QEMU_VM_EOF", arguments: SparseFixtures.allSparseImages)
    func deepCheckPasses(image: String) throws {
        let directory = try TemporaryDirectory()
        let path = try SparseFixtures.unpack(image, into: directory)
        let report = try DeepCheck.run(path: path)
        #expect(report.isValid, "\(report.problems.map(\.message))")
        #expect(report.stream.reachedEOF)
        #expect(report.stream.sections.count > 20)
        #expect(report.stream.description?.devices.isEmpty == false)
        let sparse = try #require(report.sparse)
        #expect(report.stream.pages == sparse.pagesPresent)
        #expect(report.stream.zeroPages == sparse.holes)
        #expect(report.stateSha256 != nil)
    }

    @Test("damage in the device state is reported at its file offset")
    func damageAtFileOffset() throws {
        let directory = try TemporaryDirectory()
        let original = try SparseFixtures.unpack("qemu64-sparse.sav", into: directory)
        let damaged = directory.path + "/damaged.sav"
        try SparseFixtures.sparseCopy(original, to: damaged)
        let layout = try SparseFixtures.layout(damaged)
        // The first device section after the RAM section's EOS/footer: make its section type garbage.
        let target = layout.deviceStateOffset + 13
        try SparseFixtures.patch(damaged, at: target, [0x55])
        let report = try DeepCheck.run(path: damaged)
        #expect(!report.isValid)
        let problem = try #require(report.problems.first)
        #expect(problem.fileOffset == target, "\(problem.message)")
    }

    @Test("inspect --json carries the sparse layout under \"sparse\"")
    func inspectJSON() throws {
        let directory = try TemporaryDirectory()
        let path = try SparseFixtures.unpack("westmere-sparse.sav", into: directory)
        let result = try CLI.run(["inspect", "--json", path])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        let sparse = try #require(object["sparse"] as? [String: Any])
        let layout = try SparseFixtures.layout(path)
        #expect(sparse["device_state_offset"] as? UInt64 == layout.deviceStateOffset)
        #expect(sparse["file_size"] as? UInt64 == layout.fileSize)
        let blocks = try #require(sparse["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["name"] as? String } == layout.blocks.map(\.name))
        #expect(blocks.map { $0["holes"] as? UInt64 } == layout.blocks.map(\.holes))
        #expect(blocks.map { $0["pages_present"] as? UInt64 } == layout.blocks.map(\.pagesPresent))
        let text = try CLI.run(["inspect", path]).output
        #expect(text.contains("pc.ram: 33554432 bytes"))
    }
}
