import Foundation
import Testing
@testable import SaveImage

/// The reader's limit on chained documents (``DataRegion/maximumDocuments``),
/// what edits do at it, and what `verify` says of an image saveimg will not
/// read: libvirt 9.0 restores a chain of 30 million documents and a 68 MB
/// data region (it reads only the cookie), so saveimg's refusal is "not
/// judged", never "restore fails".
@Suite("The extension chain's document limit")
struct ChainLimitTests {
    static func chain(extensions: Int) throws -> [UInt8] {
        let (xml, cookie) = try Hostile.documents()
        return try Hostile.image(domainXML: xml, chain: [cookie] + Array(repeating: Array("<a/>".utf8), count: extensions),
                                 padding: 4096)
    }

    @Test("a chain at the limit reads in full; one more document is too_large at that document's offset")
    func limit() throws {
        let directory = try TemporaryDirectory()
        let atLimit = try directory.write("4096.sav", try Self.chain(extensions: DataRegion.maximumDocuments - 1))
        let image = try SaveImage(contentsOf: atLimit)
        #expect(image.region.chain.count == DataRegion.maximumDocuments)
        #expect(image.region.serialized() == Array(try Hostile.read(atLimit)[92..<Int(image.streamOffset)]))

        let over = try directory.write("4097.sav", try Self.chain(extensions: DataRegion.maximumDocuments))
        var caught: SaveImageError?
        do { _ = try SaveImage(contentsOf: over) } catch { caught = error }
        let error = try #require(caught)
        #expect(error.code == .tooLarge && error.field == "extension chain" && error.path == over)
        // Document 4097 starts after the XML, its NUL, the cookie and 4095 "<a/>" documents.
        let (xml, cookie) = try Hostile.documents()
        #expect(error.offset == UInt64(92 + xml.count + 1 + cookie.count + 1 + 5 * (DataRegion.maximumDocuments - 1)))
        #expect(error.stopsSaveimgOnly)
    }

    @Test("ext add at the limit is refused and leaves the image byte-identical")
    func addingAtTheLimit() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("full.sav", try Self.chain(extensions: DataRegion.maximumDocuments - 1))
        let image = try SaveImage(contentsOf: path)
        #expect(throws: SaveImageError.self) { _ = try image.addingExtension(Array("<b/>".utf8)) }
        let before = try FileSnapshot(path)
        let document = try directory.write("b.xml", Array("<b xmlns='urn:x'/>".utf8))
        let run = try CLI.run(["ext", "add", path, document])
        #expect(run.status != 0)
        #expect(run.stderr.contains("at most 4096 documents"), "\(run.stderr)")
        #expect(try FileSnapshot(path) == before)
    }

    @Test("verify on an image past saveimg's limits: not judged (unreadable, a warning reason), not restore_fails")
    func verifyDoesNotJudge() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("over.sav", try Self.chain(extensions: DataRegion.maximumDocuments))
        let verdict = RestoreVerifier(profile: ReaderProfile(version: LibvirtVersion(9, 0, 0)), host: nil).verify(path: path)
        #expect(verdict.readError?.code == .tooLarge && verdict.outcome == .notJudged)
        #expect(verdict.reasons.map(\.severity) == [.warning], "\(verdict.reasons)")
        #expect(verdict.reasons.first?.message.hasPrefix("not judged") == true)

        let json = try CLI.run(["verify", "--json", "--target-libvirt", "9.0.0", path])
        #expect(json.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [String: Any])
        #expect(object["verdict"] as? String == "unreadable", "\(json.output)")
        let text = try CLI.run(["verify", "--target-libvirt", "9.0.0", path])
        #expect(text.output.contains("\(path): not judged (saveimg could not read it)"), "\(text.output)")
        #expect(!text.output.contains("restore_fails"), "\(text.output)")
        // scan says the same: saveimg could not read it, not that libvirt refuses it.
        let scan = try CLI.run(["scan", "--json", "--target-libvirt", "9.0.0", directory.path])
        let line = try #require(scan.output.split(separator: "\n").first { $0.contains("over.sav") })
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(record["verdict"] as? String == "unreadable", "\(line)")
        #expect(scan.status == 2)
    }
}
