import Foundation
import Testing
import CSaveImageShims
@testable import SaveImage

/// A failure injected at every step leaves the original byte-identical; a
/// "crash" (the writer stops, no rollback) leaves the old or the new image.
@Suite("Edit fault injection")
struct EditFaultTests {
    static let fixture = "westmere-raw.sav"

    /// The three write strategies an edit of the image itself can take.
    enum Kind: String, CaseIterable, Sendable { case inPlace, journaled, replacement }

    /// An in-place edit (add-cpu-ext), a define whose XML fits (journaled
    /// region rewrite) and a define that grows the region (replacement).
    static func edit(_ image: SaveImage, _ kind: Kind) throws(SaveImageError) -> ImageContent {
        switch kind {
        case .inPlace:
            return try image.settingCookieCPU(try EditFixtures.updatedCPU(for: image))
        case .journaled, .replacement:
            let size = kind == .journaled ? 300 : 70_000
            let xml = image.region.domainXML.text.replacingOccurrences(
                of: "</name>", with: "</name>\n  <description>\(String(repeating: "g", count: size))</description>")
            return try image.replacingDomainXML(Array(xml.utf8))
        }
    }

    static let cases: [(WriteStep, Kind)] = WriteStep.inPlaceSteps.map { ($0, .inPlace) }
        + WriteStep.journalSteps.map { ($0, .journaled) }
        + WriteStep.replacementSteps.map { ($0, .replacement) }

    @Test("an injected failure leaves the original byte-identical", arguments: cases)
    func failure(_ step: WriteStep, _ kind: Kind) throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy(Self.fixture, into: directory)
        let before = try EditFixtures.read(path)
        let editor = ImageEditor(path: path, writer: ImageWriter(faults: .at(step, .fail)))
        var thrown: SaveImageError?
        do { _ = try editor.run { (image) throws(SaveImageError) in try Self.edit(image, kind) } } catch { thrown = error }
        // The error is the injected one, not some other failure on the way.
        #expect(thrown?.code == .io && thrown?.field == step.rawValue && thrown?.found.hasPrefix("injected failure") == true,
                "\(String(describing: thrown))")
        if step == .syncDirectory {
            // The rename already happened: the new image is in place (the error says so).
            #expect(try SaveImage.open(path, recovery: .rollBack).region.domainXML.bytes.count > 70_000)
        } else {
            #expect(try EditFixtures.read(path) == before)
            if kind != .replacement { #expect(thrown?.found.hasSuffix("the file is unchanged") == true) }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == [Self.fixture], "temporary files left: \(leftovers)")
    }

    @Test("a crash at any step leaves the old or the new valid image", arguments: cases)
    func crash(_ step: WriteStep, _ kind: Kind) throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy(Self.fixture, into: directory)
        let before = try SaveImage(contentsOf: path)
        let beforeBytes = try EditFixtures.read(path)
        let expected = try Self.edit(before, kind)
        let editor = ImageEditor(path: path, writer: ImageWriter(faults: .at(step, .crash)))
        #expect { _ = try editor.run { (image) throws(SaveImageError) in try Self.edit(image, kind) } } throws: { ($0 as? SaveImageError)?.isSimulatedCrash == true }
        let journal = EditJournal.path(for: path)
        let crashed = try EditFixtures.read(path)
        if kind == .journaled {
            // What libvirt would see before saveimg opens the image again: the
            // old image, the new one, or the Part magic ("save image is
            // incomplete") with the journal beside it. Never a torn region
            // under the LibvirtQemudSave magic.
            let magic = String(decoding: crashed[0..<16], as: UTF8.self)
            if magic == "LibvirtQemudPart" {
                #expect(FileManager.default.fileExists(atPath: journal), "Part magic without a journal at \(step)")
                #expect([WriteStep.syncMark, .writeRegion, .syncRegion, .writeHeader].contains(step))
            } else {
                let image = try HostileCrashTests.read(crashed)
                #expect(image.content == before.content || image.content == expected, "torn at \(step)")
                #expect(crashed == beforeBytes || image.content == expected)
            }
        }
        let after = try SaveImage.open(path, recovery: .rollBack)  // rolls an interrupted journaled edit back
        let bytes = try EditFixtures.read(path)
        #expect(after.content == before.content || after.content == expected, "neither old nor new at \(step)")
        if kind == .journaled {
            #expect(bytes == beforeBytes || after.content == expected)
            #expect(bytes[0..<16] == beforeBytes[0..<16], "still marked incomplete after the reader at \(step)")
            // A journal beside a committed (or untouched) image is stale: the next edit removes it.
            _ = try ImageEditor(path: path).run { $0.content }
            #expect(!FileManager.default.fileExists(atPath: journal), "journal left after the next edit at \(step)")
        }
        // A crash between the document write and the header commit leaves the
        // new chain as unreferenced bytes in the padding (inspect: padding_not_zero);
        // nothing libvirt reads.
        #expect(after.findings.filter { $0.severity >= .warning && $0.code != .paddingNotZero }.isEmpty)
        #expect(bytes[Int(after.streamOffset)...] == beforeBytes[Int(before.streamOffset)...])
    }

    @Test("reading writes nothing: an interrupted edit is rolled back only by an explicit step (open(recovering:), recover)")
    func readingDoesNotRecover() throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy(Self.fixture, into: directory)
        let original = try EditFixtures.read(path)
        let editor = ImageEditor(path: path, writer: ImageWriter(faults: .at(.writeRegion, .crash)))
        #expect { _ = try editor.run { (image) throws(SaveImageError) in try Self.edit(image, .journaled) } } throws: { ($0 as? SaveImageError)?.isSimulatedCrash == true }
        let crashed = try EditFixtures.read(path)
        #expect(crashed != original && String(decoding: crashed[0..<16], as: UTF8.self) == "LibvirtQemudPart")
        // The plain reader refuses it as libvirt does, and writes nothing.
        let plain = #expect(throws: SaveImageError.self) { _ = try SaveImage(contentsOf: path) }
        #expect(plain?.code == .incompleteSave)
        #expect(try EditFixtures.read(path) == crashed)
        // Read-only opening names the interrupted edit and the command that rolls it back; still nothing written.
        let readOnly = #expect(throws: SaveImageError.self) { _ = try SaveImage.open(path, recovery: .readOnly) }
        #expect(readOnly?.found.contains("interrupted saveimg edit") == true && readOnly?.found.contains("saveimg recover") == true)
        #expect(try EditFixtures.read(path) == crashed)
        #expect(FileManager.default.fileExists(atPath: EditJournal.path(for: path)))
        // The CLI: --read-only reports it (exit 2), `recover` rolls it back to the original bytes.
        let inspect = try CLI.run(["inspect", "--read-only", path])
        #expect(inspect.status == 2 && inspect.stderr.contains("saveimg recover"), "\(inspect.stderr)")
        #expect(try EditFixtures.read(path) == crashed)
        let recover = try CLI.run(["recover", "--json", path])
        #expect(recover.status == 0 && recover.output.contains("\"outcome\":\"rolled_back\""), "\(recover.output) \(recover.stderr)")
        #expect(try EditFixtures.read(path) == original)
        #expect(!FileManager.default.fileExists(atPath: EditJournal.path(for: path)))
        #expect(try SaveImage.recoverInterruptedEdit(at: path) == .nothingToRecover)
    }

    @Test("a Part image whose journal names another file is left alone")
    func foreignJournal() throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy(Self.fixture, into: directory)
        let editor = ImageEditor(path: path, writer: ImageWriter(faults: .at(.writeRegion, .crash)))
        #expect { _ = try editor.run { (image) throws(SaveImageError) in try Self.edit(image, .journaled) } } throws: { ($0 as? SaveImageError)?.isSimulatedCrash == true }
        // The same bytes in a new inode: the journal no longer belongs to it.
        let crashed = try EditFixtures.read(path)
        let copy = try directory.write("copy.sav", crashed)
        #expect(rename(copy, path) == 0)
        let error = #expect(throws: SaveImageError.self) { _ = try SaveImage.open(path, recovery: .rollBack) }
        #expect(error?.code == .incompleteSave)
        #expect(error?.found.contains("another file") == true, "\(String(describing: error))")
        #expect(try EditFixtures.read(path) == crashed)
        #expect(FileManager.default.fileExists(atPath: EditJournal.path(for: path)))
    }

    @Test("libvirt's own Part header (marker word zero) beside a saveimg journal is never rolled back")
    func libvirtPartBesideJournal() throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy(Self.fixture, into: directory)
        let editor = ImageEditor(path: path, writer: ImageWriter(faults: .at(.syncRegion, .crash)))
        #expect { _ = try editor.run { (image) throws(SaveImageError) in try Self.edit(image, .journaled) } } throws: { ($0 as? SaveImageError)?.isSimulatedCrash == true }
        // As if libvirt now wrote a new save into the same inode: Part magic, unused words zero.
        let fd = open(path, O_WRONLY)
        let zero: [UInt8] = [0, 0, 0, 0]
        #expect(pwrite(fd, zero, 4, 88) == 4)
        close(fd)
        let before = try EditFixtures.read(path)
        let error = #expect(throws: SaveImageError.self) { _ = try SaveImage.open(path, recovery: .rollBack) }
        #expect(error?.code == .incompleteSave && error?.found.contains("marker") == true, "\(String(describing: error))")
        #expect(try EditFixtures.read(path) == before)
    }

    @Test("a damaged journal is refused, the image left alone")
    func damagedJournal() throws {
        let directory = try TemporaryDirectory()
        let path = try EditFixtures.copy(Self.fixture, into: directory)
        let editor = ImageEditor(path: path, writer: ImageWriter(faults: .at(.syncRegion, .crash)))
        #expect { _ = try editor.run { (image) throws(SaveImageError) in try Self.edit(image, .journaled) } } throws: { ($0 as? SaveImageError)?.isSimulatedCrash == true }
        let journalPath = EditJournal.path(for: path)
        var journal = try EditFixtures.read(journalPath)
        journal[200] ^= 0xff
        try Data(journal).write(to: URL(fileURLWithPath: journalPath))
        let crashed = try EditFixtures.read(path)
        do {
            _ = try ImageEditor(path: path).run { $0.content }
            Issue.record("edited an image marked incomplete with a damaged journal")
        } catch let error as SaveImageError {
            #expect(error.code == .incompleteSave && error.field == "journal checksum", "\(error)")
        }
        #expect(try EditFixtures.read(path) == crashed)
    }

    @Test("the journal holds the old header and region and reads back")
    func journalRoundTrip() throws {
        let journal = EditJournal(device: 64769, inode: 1234, imageSize: 590_756, marker: 0xdead_beef,
                                  header: try Array(Fixtures.bytes(Self.fixture).prefix(92)),
                                  region: [UInt8](repeating: 7, count: 1000))
        let bytes = journal.serialized()
        #expect(bytes.count == EditJournal.preludeSize + 92 + 1000)
        #expect(try EditJournal(parsing: bytes, path: "j") == journal)
        // The marked header: libvirt's Part magic, the marker in the last unused word, the rest the old header.
        let marked = journal.markedHeader
        #expect(Array(marked[0..<16]) == Array("LibvirtQemudPart".utf8))
        #expect(Array(marked[88..<92]) == [0xef, 0xbe, 0xad, 0xde])
        #expect(marked[16..<88] == journal.header[16..<88])
        #expect(throws: SaveImageError.self) { try EditJournal(parsing: Array(bytes.dropLast()), path: "j") }
    }

    @Test("no fault: the edit completes")
    func noFault() throws {
        for kind in Kind.allCases {
            let directory = try TemporaryDirectory()
            let path = try EditFixtures.copy(Self.fixture, into: directory)
            let expected = try Self.edit(try SaveImage.open(path, recovery: .rollBack), kind)
            let done = try ImageEditor(path: path).run { (image) throws(SaveImageError) in try Self.edit(image, kind) }
            #expect(done.plan.strategy == [.inPlace: .inPlace, .journaled: .inPlaceJournaled, .replacement: .grow][kind])
            #expect(try SaveImage.open(path, recovery: .rollBack).content == expected)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [Self.fixture])
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
        let hard = directory.path + "/hard.sav"
        try FileManager.default.linkItem(atPath: path, toPath: hard)
        let image = try SaveImage(contentsOf: path)
        // A grow renames a new file over the path: refused, the other link would keep the old image.
        let big = image.region.domainXML.text.replacingOccurrences(
            of: "</name>", with: "</name><description>\(String(repeating: "x", count: 70_000))</description>")
        #expect(throws: SaveImageError.self) {
            _ = try ImageEditor(path: path).run { (image) throws(SaveImageError) in try image.replacingDomainXML(Array(big.utf8)) }
        }
        #expect(try EditFixtures.read(path) == Fixtures.bytes("westmere-raw.sav"))
        // A define that fits is written in place: both links see it.
        let small = image.region.domainXML.text.replacingOccurrences(of: "</name>", with: "</name><description>x</description>")
        let done = try ImageEditor(path: path).run { (image) throws(SaveImageError) in try image.replacingDomainXML(Array(small.utf8)) }
        #expect(done.plan.strategy == .inPlaceJournaled)
        #expect(try SaveImage(contentsOf: hard).region.domainXML.bytes == Array(small.utf8))
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
        let xml = image.region.domainXML.text.replacingOccurrences(
            of: "</name>", with: "</name><description>\(String(repeating: "x", count: 70_000))</description>")
        let done = try ImageEditor(path: path).run { (image) throws(SaveImageError) in try image.replacingDomainXML(Array(xml.utf8)) }
        #expect(done.plan.strategy == .grow)
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
