import Foundation
import Testing
@testable import SaveImage

/// `dumpxml > vm.xml; edit; define vm.xml` keeps the hidden passwords, and
/// define sets the state in the same write.
@Suite struct DefineSecretsTests {
    @Test(arguments: SecretFixtures.images)
    func roundTripKeepsThePassword(_ name: String) throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy(name, into: directory)
        let stored = try SaveImage(contentsOf: path).region.domainXML.bytes
        let dumped = try CLI.run(["dumpxml", path]).output
        let xml = try directory.write("vm.xml", Array(dumped.replacingOccurrences(
            of: "<on_crash>destroy</on_crash>", with: "<on_crash>restart</on_crash>").utf8))
        let result = try CLI.run(["define", path, xml, "--paused"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output.contains("secrets: kept the VNC (<graphics type='vnc'>) password as stored"))
        #expect(!result.output.contains("vnc-pw42"))
        let edited = try SaveImage(contentsOf: path)
        let expected = String(decoding: stored, as: UTF8.self).replacingOccurrences(
            of: "<on_crash>destroy</on_crash>", with: "<on_crash>restart</on_crash>")
        #expect(String(decoding: edited.region.domainXML.bytes, as: UTF8.self) == expected)
        #expect(edited.header.wasRunning == 0)
    }

    /// `define --json` is one JSON line (the secrets in it, never their values), valid against the schema.
    @Test func defineJSONSaysWhichSecretsWereKept() throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy("vnc-spice-9.0", into: directory)
        let xml = try directory.write("vm.xml", Array(try CLI.run(["dumpxml", path]).output.utf8))
        for dryRun in [["--dry-run"], []] {
            let result = try CLI.run(["define", "--json"] + dryRun + [path, xml])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.output.split(separator: "\n").count == 1, "\(result.output)")
            let line = try #require(JSONSchema.validate(result, "edit_result").first)
            let secrets = try #require(line["secrets"] as? [String: [String]])
            #expect(secrets["kept"] == ["VNC (<graphics type='vnc'>)", "SPICE (<graphics type='spice'>)"])
            #expect(!result.output.contains("vnc-pw42"))
        }
    }

    @Test func newPasswordReplacesTheStoredOne() throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy("vnc-spice-9.0", into: directory)
        let dumped = try CLI.run(["dumpxml", path]).output
        let xml = try directory.write("vm.xml", Array(dumped.replacingOccurrences(
            of: "<graphics type='vnc' ", with: "<graphics type='vnc' passwd='new-pw' ").utf8))
        let result = try CLI.run(["define", path, xml, "--running"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output.contains("the VNC (<graphics type='vnc'>) password replaced by the new XML's"))
        #expect(result.output.contains("kept the SPICE (<graphics type='spice'>) password"))
        let text = String(decoding: try SaveImage(contentsOf: path).region.domainXML.bytes, as: UTF8.self)
        #expect(text.contains("passwd='new-pw'") && !text.contains("vnc-pw42") && text.contains("passwd='spice-s3cret-pw'"))
    }

    @Test func removedGraphicsDropsItsPasswordAndSaysSo() throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy("vnc-11.3", into: directory)
        var lines = try CLI.run(["dumpxml", path]).output.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.contains("<graphics type='vnc'") })
        lines.removeSubrange(start...(start + 2))
        let xml = try directory.write("vm.xml", Array(lines.joined(separator: "\n").utf8))
        let result = try CLI.run(["define", path, xml])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output.contains("dropped the VNC (<graphics type='vnc'>) password: the new XML no longer has its element"))
    }

    /// Removing a password: define --drop-secrets, or edit --security-info and delete it.
    @Test func passwordsCanBeRemovedOnPurpose() throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy("vnc-11.3", into: directory)
        let xml = try directory.write("vm.xml", try CLI.run(["dumpxml", path]).stdout)
        let result = try CLI.run(["define", path, xml, "--drop-secrets"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.output.contains("secrets:"))
        #expect(try SaveImage(contentsOf: path).domainSecrets.isEmpty)

        let other = try SecretFixtures.copy("vnc-spice-9.0", into: directory)
        let editor = try directory.write("editor.sh", Array("#!/bin/sh\nsed -i \"s# passwd='vnc-pw42'##\" \"$1\"\n".utf8))
        chmod(editor, 0o755)
        let edited = try CLI.run(["edit", "--security-info", other], environment: ["EDITOR": editor, "VISUAL": ""])
        #expect(edited.status == 0, "\(edited.stderr)")
        #expect(try SaveImage(contentsOf: other).domainSecrets.map(\.location) == ["SPICE (<graphics type='spice'>)"])
    }

    @Test func defineStateInOneWriteAndConflictingStates() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let xml = try image.directory.write("vm.xml", try image.read().region.domainXML.bytes)
        #expect(try CLI.run(["define", image.path, xml, "--running", "--paused"]).status == 1)
        let result = try CLI.run(["define", image.path, xml, "--paused"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try image.read().header.wasRunning == 0)
    }
}
