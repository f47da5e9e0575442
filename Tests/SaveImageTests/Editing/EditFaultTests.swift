import Foundation
import Testing
import CSaveImageShims
@testable import SaveImage

/// A failure injected at every step leaves the original byte-identical; a
/// "crash" (the writer stops, no rollback) leaves the old or the new image.
@Suite("Edit fault injection")
struct EditFaultTests {
    static let fixture = "westmere-raw.sav"

    /// An in-place edit (add-cpu-ext) and a replacement (define, growing).
    static func edit(_ image: SaveImage, replacement: Bool) throws -> ImageContent {
        if replacement {
            let xml = image.region.domainXML.text.replacingOccurrences(
                of: "</name>", with: "</name>\n  <description>\(String(repeating: "g", count: 70_000))</description>")
            return try image.replacingDomainXML(Array(xml.utf8))
        }
        return try image.settingCookieCPU(try EditFixtures.updatedCPU(for: image))
    }

    static let cases: [(WriteStep, Bool)] = WriteStep.inPlaceSteps.map { ($0, false) }
        + WriteStep.replacementSteps.map { ($0, true) }

    @Test("an injected failure leaves the original byte-identical", arguments: cases)
    func failure(_ step: WriteStep, _ replacement: Bool) throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy(Self.fixture, into: directory)
        let before = try EditFixtures.read(path)
        let editor = ImageEditor(path: path, writer: ImageWriter(faults: .at(step, .fail)))
        // The error must be the injected one (at this step), not any error the edit might raise.
        let error = #expect(throws: SaveImageError.self) { _ = try editor.run { try Self.edit($0, replacement: replacement) } }
        #expect(error?.code == .io, "\(String(describing: error))")
        #expect(error?.field == step.rawValue, "\(String(describing: error))")
        #expect(error?.found.hasPrefix("injected failure") == true, "\(String(describing: error))")
        if step == .syncDirectory {
            // The rename already happened: the new image is in place (the error says so).
            #expect(try SaveImage(contentsOf: path).region.domainXML.bytes.count > 70_000)
        } else {
            #expect(try EditFixtures.read(path) == before)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == [Self.fixture], "temporary files left: \(leftovers)")
    }

    @Test("a crash at any step leaves the old or the new valid image", arguments: cases)
    func crash(_ step: WriteStep, _ replacement: Bool) throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy(Self.fixture, into: directory)
        let before = try SaveImage(contentsOf: path)
        let beforeBytes = try EditFixtures.read(path)
        let expected = try Self.edit(before, replacement: replacement)
        let editor = ImageEditor(path: path, writer: ImageWriter(faults: .at(step, .crash)))
        let crash = #expect(throws: SimulatedCrash.self) { _ = try editor.run { try Self.edit($0, replacement: replacement) } }
        #expect(crash?.step == step, "crashed at \(String(describing: crash?.step)), injected at \(step)")
        let after = try SaveImage(contentsOf: path)
        let bytes = try EditFixtures.read(path)
        #expect(after.content == before.content || after.content == expected, "neither old nor new at \(step)")
        // A crash between the document write and the header commit leaves the
        // new chain as unreferenced bytes in the padding (inspect: padding_not_zero);
        // nothing libvirt reads.
        #expect(after.findings.filter { $0.severity >= .warning && $0.code != .paddingNotZero }.isEmpty)
        #expect(bytes[Int(after.streamOffset)...] == beforeBytes[Int(before.streamOffset)...])
    }

    @Test("no fault: the edit completes")
    func noFault() throws {
        for replacement in [false, true] {
            let directory = try TemporaryDirectory()
            let path = try EditFixtures.copy(Self.fixture, into: directory)
            let expected = try Self.edit(try SaveImage(contentsOf: path), replacement: replacement)
            _ = try ImageEditor(path: path).run { try Self.edit($0, replacement: replacement) }
            #expect(try SaveImage(contentsOf: path).content == expected)
        }
    }
}

/// Refusals: links, incomplete saves, a second editor, existing outputs,
/// hard links; and mode and owner kept across a rename.
@Suite("Edit safety")
struct EditSafetyTests {
    @Test("a symbolic link is refused, the target untouched")
    func symlink() throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy("westmere-raw.sav", into: directory)
        let link = directory.path + "/link.sav"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        #expect(throws: SaveImageError.self) { _ = try ImageEditor(path: link).run { $0.settingWasRunning(false) } }
        #expect(try EditFixtures.read(path) == Fixtures.bytes("westmere-raw.sav"))
    }

    @Test("an image with the LibvirtQemudPart magic is never edited")
    func partMagic() throws {
        let directory = try TemporaryDirectory()
        var bytes = try Fixtures.bytes("westmere-raw.sav")
        bytes.replaceSubrange(0..<16, with: Array("LibvirtQemudPart".utf8))
        let path = try directory.write("part.sav", bytes)
        do {
            _ = try ImageEditor(path: path).run { $0.settingWasRunning(false) }
            Issue.record("edited a Part image")
        } catch let error as SaveImageError {
            #expect(error.code == .incompleteSave)
        }
        #expect(try EditFixtures.read(path) == bytes)
    }

    @Test("a second editor is kept out by the lock")
    func lock() throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy("westmere-raw.sav", into: directory)
        let holder = try PositionalFile(openingForEditing: path, writable: true)
        do {
            _ = try ImageEditor(path: path).run { $0.settingWasRunning(false) }
            Issue.record("edited a locked file")
        } catch let error as SaveImageError {
            #expect(error.code == .busy)
        }
        _ = holder
    }

    @Test("--output refuses an existing file; a file with two links is not replaced")
    func outputAndLinks() throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy("westmere-raw.sav", into: directory)
        let other = try directory.write("other.sav", [1, 2, 3])
        #expect(throws: SaveImageError.self) {
            _ = try ImageEditor(path: path, output: other).run { $0.settingWasRunning(false) }
        }
        #expect(try EditFixtures.read(other) == [1, 2, 3])
        try FileManager.default.linkItem(atPath: path, toPath: directory.path + "/hard.sav")
        let image = try SaveImage(contentsOf: path)
        let xml = image.region.domainXML.text.replacingOccurrences(of: "</name>", with: "</name><description>x</description>")
        #expect(throws: SaveImageError.self) {
            _ = try ImageEditor(path: path).run { try $0.replacingDomainXML(Array(xml.utf8)) }
        }
        #expect(try EditFixtures.read(path) == Fixtures.bytes("westmere-raw.sav"))
    }

    @Test("a rewrite keeps the mode and user xattrs; the sparse stream stays sparse")
    func attributes() throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy("westmere-raw.sav", into: directory)
        chmod(path, 0o640)
        let fd = open(path, O_RDWR)
        let hasXattr = saveimg_fsetxattr(fd, "user.saveimg-test", "v", 1) == 0
        close(fd)
        let image = try SaveImage(contentsOf: path)
        let xml = image.region.domainXML.text.replacingOccurrences(of: "</name>", with: "</name><description>x</description>")
        _ = try ImageEditor(path: path).run { try $0.replacingDomainXML(Array(xml.utf8)) }
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o7777 == 0o640)
        if hasXattr {
            var value = [UInt8](repeating: 0, count: 8)
            let reader = open(path, O_RDONLY)
            #expect(saveimg_fgetxattr(reader, "user.saveimg-test", &value, 8) == 1 && value[0] == UInt8(ascii: "v"))
            close(reader)
        }
    }
}
