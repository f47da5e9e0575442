import Foundation
import Testing
@testable import SaveImage

/// Sparse images with each bound of the mapped-ram layout broken on purpose:
/// each gives a SaveImageError naming the field and offset, from the reader,
/// `check --deep`, `inspect` and `convert`, never a crash or hang, and leaves
/// the file untouched and no output behind.
@Suite("Sparse (mapped-ram) hostile images")
struct SparseHostileTests {
    /// qemu64-sparse.sav's pc.ram MappedRamHeader and pc.bios's.
    static let ramHeader: UInt64 = 67009, biosHeader: UInt64 = 34603024

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var field: String
        var offset: UInt64?
        var patches: [(UInt64, [UInt8])]
        var truncate: UInt64? = nil
        var testDescription: String { name }
    }

    static func be(_ value: UInt64, _ width: Int) -> [UInt8] { SparseFixtures.bigEndian(value, width: width) }

    static let cases: [Case] = [
        Case(name: "header version 2", field: "mapped-ram header version", offset: ramHeader, patches: [(ramHeader, be(2, 4))]),
        Case(name: "page size 0", field: "mapped-ram page_size", offset: ramHeader + 4, patches: [(ramHeader + 4, be(0, 8))]),
        Case(name: "page size not a power of two", field: "mapped-ram page_size", offset: ramHeader + 4,
             patches: [(ramHeader + 4, be(3000, 8))]),
        Case(name: "bitmap past the end of the file", field: "mapped-ram bitmap_offset", offset: ramHeader + 12,
             patches: [(ramHeader + 12, be(36871321 - 100, 8))]),
        Case(name: "bitmap offset near 2^64", field: "mapped-ram bitmap_offset", offset: ramHeader + 12,
             patches: [(ramHeader + 12, be(UInt64.max - 10, 8))]),
        Case(name: "pages past the end of the file", field: "mapped-ram pages_offset", offset: ramHeader + 20,
             patches: [(ramHeader + 20, be(0x1000_0000, 8))]),
        Case(name: "pages not page-aligned", field: "mapped-ram pages_offset", offset: ramHeader + 20,
             patches: [(ramHeader + 20, be(0x100010, 8))]),
        Case(name: "pc.bios pages overlapping pc.ram's", field: "mapped-ram pages_offset", offset: biosHeader + 20,
             patches: [(biosHeader + 20, be(0x100000, 8))]),
        Case(name: "pc.ram pages over the stream start", field: "mapped-ram pages_offset", offset: ramHeader + 20,
             patches: [(ramHeader + 20, be(0, 8))]),
        Case(name: "bitmap overlapping its header", field: "mapped-ram bitmap_offset", offset: ramHeader + 12,
             patches: [(ramHeader + 12, be(ramHeader, 8))]),
        Case(name: "block size 0", field: "RAM block size", offset: ramHeader - 8, patches: [(ramHeader - 8, be(0, 8))]),
        Case(name: "block bigger than the RAM total", field: "RAM block size", offset: ramHeader - 8,
             patches: [(ramHeader - 8, be(0x4000_0000, 8))]),
        // "pc.ram" (ramHeader - 14) as six 0xff: decoded leniently it became six U+FFFD, 18
        // bytes, and out of sparse wrote that other name (past 85 such bytes, UInt8(count) trapped).
        Case(name: "block name not UTF-8", field: "RAM block name", offset: ramHeader - 14,
             patches: [(ramHeader - 14, [UInt8](repeating: 0xff, count: 6))]),
        Case(name: "no mapped-ram capability", field: "configuration/capabilities", offset: nil,
             patches: [(66895 + 68, Array("mapped-rom".utf8))]),
        Case(name: "truncated inside the pages", field: "mapped-ram pages_offset", offset: nil, patches: [], truncate: 0x2000000),
    ]

    @Test("each broken bound gives a clear error and leaves the file untouched", arguments: cases)
    func brokenBound(hostile: Case) throws {
        let directory = try TemporaryDirectory()
        let original = try SparseFixtures.unpack("qemu64-sparse.sav", into: directory)
        let path = directory.path + "/hostile.sav"
        try SparseFixtures.sparseCopy(original, to: path)
        for (offset, bytes) in hostile.patches { try SparseFixtures.patch(path, at: offset, bytes) }
        if let size = hostile.truncate { #expect(truncate(path, off_t(size)) == 0) }
        let before = try SparseFixtures.sha256(path)

        // The reader.
        do {
            _ = try SparseFixtures.layout(path)
            Issue.record("\(hostile.name): the layout was accepted")
        } catch let error as SaveImageError {
            #expect(error.field == hostile.field, "\(error)")
            if let offset = hostile.offset { #expect(error.offset == offset, "\(error)") }
            #expect(error.path == path)
        }
        // check --deep reports it as damage (exit 2), inspect as a finding.
        let report = try DeepCheck.run(path: path)
        #expect(!report.isValid)
        #expect(report.problems.first?.field == hostile.field)
        let check = try CLI.run(["check", "--deep", path])
        #expect(check.status == 2, "\(check.output) \(check.stderr)")
        #expect(check.output.contains(hostile.field))
        // inspect: libvirt reads the image, QEMU cannot map it: verdict restore_fails, the field named, as verify says.
        let inspect = try CLI.run(["inspect", "--json", path])
        #expect(inspect.status == 0 && inspect.output.contains("\"stream_damaged\"") && inspect.output.contains(hostile.field),
                "\(inspect.output)")
        #expect(inspect.output.contains("\"verdict\":\"restore_fails\""), "\(inspect.output)")
        // convert refuses it and leaves nothing behind.
        for format in ["raw", "zstd", "sparse"] {
            let output = directory.path + "/out-\(format).sav"
            let convert = try CLI.run(["convert", path, output, "--format", format])
            #expect(convert.status != 0 && convert.status < 128, "\(format): \(convert.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output))
        }
        #expect(try SparseFixtures.sha256(path) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["hostile.sav", "qemu64-sparse.sav"])
    }

    @Test("a truncated device state and a stray bitmap bit are damage at their offsets; convert into sparse leaves no output")
    func damageAfterLayout() throws {
        let directory = try TemporaryDirectory()
        let original = try SparseFixtures.unpack("qemu64-sparse.sav", into: directory)
        let layout = try SparseFixtures.layout(original)
        let cut = directory.path + "/cut.sav"
        try SparseFixtures.sparseCopy(original, to: cut)
        #expect(truncate(cut, off_t(layout.deviceStateOffset + 600)) == 0)
        let report = try DeepCheck.run(path: cut)
        #expect(!report.isValid)
        #expect(report.problems.first?.found.contains("truncated") == true, "\(report.problems)")
        let output = directory.path + "/out.sav"
        // Into sparse walks the stream: refused, nothing left. (Out of sparse copies the device
        // state as it is, as every other conversion copies the stream; check --deep judges it.)
        let convert = try CLI.run(["convert", cut, output, "--format", "sparse"])
        #expect(convert.status == 2 && convert.stderr.contains("truncated"), "\(convert.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))

        let stray = directory.path + "/stray.sav"
        try SparseFixtures.sparseCopy(original, to: stray)
        let rom = try #require(layout.blocks.last)  // pc.rom: 32 pages, an 8-byte bitmap
        try SparseFixtures.patch(stray, at: rom.bitmapOffset + 4, [0x01])
        let strayReport = try DeepCheck.run(path: stray)
        #expect(!strayReport.isValid)
        #expect(strayReport.problems.first?.fileOffset == rom.bitmapOffset + 4)
    }

    /// qemu64-m72-raw.sav (a sequential stream): its RAM_SAVE_FLAG_MEM_SIZE word,
    /// pc.ram's block list entry and pc.ram's first page record's name.
    static let memSizeWord = 66941, ramEntry = 66949, firstRecordName = 67021
    /// pc.bios's block list entry ("\u{07}pc.bios", then its size).
    static let biosEntry = 66964

    @Test("into sparse: RAM blocks whose bitmaps pass the 256 MiB held in memory, or a name not in UTF-8, are refused")
    func intoSparseRefusesWhatItCannotWrite() throws {
        let directory = try TemporaryDirectory()
        let original = try StreamFixtures.file(SparseFixtures.path("qemu64-m72-raw.sav"))
        let name = [UInt8]([6]) + Array("pc.ram".utf8)
        try #require(Array(original[Self.ramEntry..<(Self.ramEntry + 7)]) == name)
        try #require(Array(original[Self.firstRecordName..<(Self.firstRecordName + 7)]) == name)
        try #require(Array(original[Self.memSizeWord..<(Self.memSizeWord + 8)]) == Self.be(0x206_0000 | 0x04, 8))
        try #require(Array(original[Self.biosEntry..<(Self.biosEntry + 16)]) == [7] + Array("pc.bios".utf8) + Self.be(0x4_0000, 8))

        // pc.ram and the total 2^62 bytes bigger: a 2^47-byte bitmap, which the writer
        // allocated (and crashed on) before it checked the reader's 256 MiB cap.
        var huge = original
        let extra: UInt64 = 1 << 62
        huge.replaceSubrange(Self.memSizeWord..<(Self.memSizeWord + 8), with: Self.be((0x206_0000 + extra) | 0x04, 8))
        huge.replaceSubrange((Self.ramEntry + 7)..<(Self.ramEntry + 15), with: Self.be(0x200_0000 + extra, 8))
        // pc.ram and pc.bios of 8 TiB each: each bitmap is 256 MiB, together more than the
        // 256 MiB the reader (and now the writer) holds in memory for all the blocks.
        var twoBig = original
        let eight: UInt64 = 8 << 40
        twoBig.replaceSubrange(Self.memSizeWord..<(Self.memSizeWord + 8), with: Self.be((eight * 2 + 0x2_0000) | 0x04, 8))
        twoBig.replaceSubrange((Self.ramEntry + 7)..<(Self.ramEntry + 15), with: Self.be(eight, 8))
        twoBig.replaceSubrange((Self.biosEntry + 8)..<(Self.biosEntry + 16), with: Self.be(eight, 8))
        // pc.ram named six 0xff bytes in the block list and its first record: the walker
        // decodes both to the same six U+FFFD, which the writer wrote as an 18-byte name.
        var badName = original
        for offset in [Self.ramEntry, Self.firstRecordName] {
            badName.replaceSubrange((offset + 1)..<(offset + 7), with: [UInt8](repeating: 0xff, count: 6))
        }
        for (file, bytes, field) in [("huge.sav", huge, "RAM block size"), ("two.sav", twoBig, "RAM block size"),
                                     ("name.sav", badName, "RAM block name")] {
            let input = try directory.write(file, bytes)
            let output = directory.path + "/out-" + file
            let convert = try CLI.run(["convert", input, output, "--format", "sparse"])
            #expect(convert.status == 2, "\(file): status \(convert.status) \(convert.stderr)")
            #expect(convert.stderr.contains(field), "\(file): \(convert.stderr)")
            if file == "two.sav" { #expect(convert.stderr.contains("after blocks with 268435456 bytes of bitmaps"), "\(convert.stderr)") }
            #expect(!FileManager.default.fileExists(atPath: output))
            do throws(SaveImageError) {
                _ = try SaveImageConverter.convert(input: input, output: output, request: ConversionRequest(format: .sparse))
                Issue.record("\(file): converted")
            } catch {
                #expect(error.field == field, "\(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: output))
        }
        #expect(try StreamFixtures.listing(directory.path) == ["huge.sav", "name.sav", "two.sav"])
    }
}
