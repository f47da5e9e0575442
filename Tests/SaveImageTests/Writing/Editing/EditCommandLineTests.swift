import Foundation
import Testing
@testable import SaveImage

/// The editing commands run as a user runs them: the written file reads back
/// with exactly the intended change, refusals exit 2 and leave it untouched.
@Suite struct EditCommandLineTests {
    static let updatedCPU = """
        <cpu mode='custom' match='exact' check='full'>
          <model fallback='forbid'>qemu64</model>
          <feature policy='require' name='hypervisor'/>
          <feature policy='require' name='lahf_lm'/>
          <feature policy='disable' name='sse2'/>
        </cpu>
        """

    @Test func addCPUExtReplacesOnlyTheCookieCPU() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let cpu = try image.directory.write("cpu.xml", Array(Self.updatedCPU.utf8))
        let result = try CLI.run(["add-cpu-ext", image.path, "--cpu", cpu])
        #expect(result.status == 0, "\(result.stderr)")
        let edited = try image.read()
        #expect(edited.cookie?.cpu?.features.map(\.name) == ["hypervisor", "lahf_lm", "sse2"])
        #expect(edited.cookie?.cpu?.policy(of: "sse2") == .disable)
        #expect(edited.cookie?.otherElementNames == ["slirpHelper"])
        let before = try SaveImage(contentsOf: Fixtures.path("qemu64-raw-running.sav"))
        #expect(edited.region.domainXML.bytes == before.region.domainXML.bytes)
        #expect(edited.header.dataLength == before.header.dataLength)
        let after = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path)))
        #expect(after[Int(edited.streamOffset)...] == image.bytes[Int(before.streamOffset)...])
    }

    @Test func extensionsAddListShowRemove() throws {
        let image = try ModifiedImage("westmere-raw.sav")
        let note = try image.directory.write("note.xml", Array("<note>kept</note>".utf8))
        #expect(try CLI.run(["ext", "add", image.path, note]).status == 0)
        let list = try CLI.run(["ext", "list", image.path])
        #expect(list.output.contains("<note>"))
        #expect(try CLI.run(["ext", "show", image.path, "1"]).output == "<note>kept</note>")
        #expect(try image.read().extensions.map(\.text) == ["<note>kept</note>"])
        // A later cookie edit keeps the extension.
        let cpu = try image.directory.write("cpu.xml", Array(Self.updatedCPU.replacingOccurrences(of: "qemu64", with: "Westmere").utf8))
        #expect(try CLI.run(["add-cpu-ext", image.path, "--cpu", cpu]).status == 0)
        #expect(try image.read().extensions.map(\.text) == ["<note>kept</note>"])
        #expect(try CLI.run(["ext", "remove", image.path, "1"]).status == 0)
        #expect(try image.read().extensions.isEmpty)
    }

    @Test func defineRefusesAnABIChangeAndLeavesTheFile() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let xml = String(decoding: try image.read().region.domainXML.bytes, as: UTF8.self)
        let bigger = try image.directory.write("big.xml", Array(xml.replacingOccurrences(of: "32768", with: "65536").utf8))
        let result = try CLI.run(["define", image.path, bigger])
        #expect(result.status == 2)
        #expect(result.stderr.contains("Target domain max memory 65536 does not match source 32768"))
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path))) == image.bytes)
    }

    @Test func defineGrowsPastThePadding() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let xml = String(decoding: try image.read().region.domainXML.bytes, as: UTF8.self)
        let description = "  <description>" + String(repeating: "d", count: 70_000) + "</description>\n"
        let grown = try image.directory.write("grown.xml", Array(xml.replacingOccurrences(
            of: "  <uuid>", with: description + "  <uuid>").utf8))
        let result = try CLI.run(["define", image.path, grown])
        #expect(result.status == 0, "\(result.stderr)")
        let edited = try image.read()
        #expect(edited.region.domainXML.bytes.count > 70_000)
        #expect(edited.region.padding.count == 65536)
        #expect(edited.cookie?.cpu?.model == "qemu64")
        let before = try SaveImage(contentsOf: Fixtures.path("qemu64-raw-running.sav"))
        let after = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path)))
        #expect(after[Int(edited.streamOffset)...] == image.bytes[Int(before.streamOffset)...])
    }

    @Test func setStateDryRunAndOutput() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        #expect(try CLI.run(["set-state", image.path, "--paused", "--dry-run"]).status == 0)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path))) == image.bytes)
        let output = image.directory.path + "/paused.sav"
        #expect(try CLI.run(["set-state", image.path, "--paused", "--output", output]).status == 0)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path))) == image.bytes)
        var expected = image.bytes
        expected.setWord(0, at: 24)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: output))) == expected)
    }
}
