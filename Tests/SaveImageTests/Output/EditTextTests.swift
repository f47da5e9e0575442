import Foundation
import Testing

/// What an edit prints, in the user's words; the mechanics only with --verbose. And verify's target, once.
@Suite struct EditTextTests {
    @Test func setStateSaysWhatChanged() throws {
        let directory = try TemporaryDirectory()
        let image = try directory.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
        let result = try CLI.run(["set-state", image, "--paused"])
        #expect(result.status == 0)
        #expect(result.output == "\(image): updated in place: whether the guest runs after restore\n"
                + "  changes: the guest stays paused after restore (it was set to run)\n", "\(result.output)")
        #expect(!result.output.contains("was_running") && !result.output.contains("in-place"))
    }

    @Test func verboseAddsTheMechanics() throws {
        let directory = try TemporaryDirectory()
        let image = try directory.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
        let note = try directory.write("note.xml", Array("<note>kept</note>".utf8))
        let plain = try CLI.run(["ext", "add", "--dry-run", image, note])
        #expect(plain.output.hasPrefix("\(image): would update in place: the extensions\n"), "\(plain.output)")
        #expect(plain.output.contains("  adds: extension 1 (<note>)"))
        #expect(!plain.output.contains("bytes ["))
        let verbose = try CLI.run(["ext", "add", "--dry-run", "--verbose", image, note])
        #expect(verbose.output.contains("would write in-place ("), "\(verbose.output)")
        #expect(verbose.output.contains("  header: data_len 66853"))
        #expect(verbose.output.contains("  stream: untouched at offset 66945"))
    }

    @Test func defineThatOutgrowsTheRegionSaysTheFileWasRewritten() throws {
        let directory = try TemporaryDirectory()
        let image = try directory.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
        var xml = try CLI.run(["dumpxml", "--security-info", image]).output
        xml = xml.replacingOccurrences(of: "</name>", with: "</name><description>\(String(repeating: "d", count: 70_000))</description>")
        let path = try directory.write("big.xml", Array(xml.utf8))
        let result = try CLI.run(["define", image, path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output.hasPrefix("\(image): updated: the domain XML (the data region was too small, "
                                        + "so the file was rewritten with a larger one)\n"), "\(result.output)")
    }

    @Test func verifyPrintsTheTargetOncePerFile() throws {
        let result = try CLI.run(["verify"] + LabTarget.arguments + [Fixtures.path("westmere-raw.sav")])
        let targets = result.output.split(separator: "\n").filter { $0.contains("target:") }
        #expect(targets.count == 1, "\(result.output)")
        #expect(result.output.contains("\n  compared with: "), "\(result.output)")
    }
}
