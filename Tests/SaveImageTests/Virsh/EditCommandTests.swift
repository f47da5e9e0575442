import Foundation
import Testing
@testable import SaveImage

/// `saveimg edit` with EDITOR set to a script, as a user's editor would act.
@Suite struct EditCommandTests {
    /// Writes an editor script that records its file's mode, path and secrets, then runs `change` on it.
    static func editor(_ directory: TemporaryDirectory, _ change: String) throws -> String {
        let script = """
            #!/bin/sh
            stat -c '%a %n' "$1" > \(directory.path)/seen
            grep -c 'vnc-pw42' "$1" >> \(directory.path)/seen
            \(change)

            """
        let path = try directory.write("editor.sh", Array(script.utf8))
        chmod(path, 0o755)
        return path
    }

    static func seen(_ directory: TemporaryDirectory) throws -> [String] {
        try String(contentsOfFile: directory.path + "/seen", encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test func unchangedLeavesTheImageByteIdentical() throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy("vnc-11.3", into: directory)
        let before = try EditFixtures.read(path)
        let result = try CLI.run(["edit", path], environment: ["EDITOR": try Self.editor(directory, "true"), "VISUAL": ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output == "\(path): domain XML not changed\n")
        #expect(try EditFixtures.read(path) == before)
    }

    @Test func changedXMLIsWrittenWithSecretsKeptAndTheTempFilePrivate() throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy("vnc-spice-9.0", into: directory)
        let stored = try SaveImage(contentsOf: path).region.domainXML.bytes
        let editor = try Self.editor(directory, "sed -i 's#<on_crash>destroy#<on_crash>restart#' \"$1\"")
        let result = try CLI.run(["edit", path, "--paused"], environment: ["VISUAL": editor, "EDITOR": "false", "TMPDIR": directory.path])
        #expect(result.status == 0, "\(result.stderr)")
        let seen = try Self.seen(directory)
        #expect(seen.first?.hasPrefix("600 \(directory.path)/saveimg-edit-") == true)
        #expect(seen.last == "0")  // the password was not in the file the editor saw
        let tempFile = String(try #require(seen.first).dropFirst(4))
        #expect(!FileManager.default.fileExists(atPath: tempFile))
        #expect(result.output.contains("kept the VNC (<graphics type='vnc'>) password as stored"))
        let edited = try SaveImage(contentsOf: path)
        #expect(edited.header.wasRunning == 0)
        #expect(String(decoding: edited.region.domainXML.bytes, as: UTF8.self) == String(decoding: stored, as: UTF8.self)
            .replacingOccurrences(of: "<on_crash>destroy", with: "<on_crash>restart"))
    }

    @Test func stateAloneChangesOnlyWasRunning() throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy("vnc-11.3", into: directory)
        let before = try EditFixtures.read(path)
        let result = try CLI.run(["edit", path, "--paused"], environment: ["EDITOR": try Self.editor(directory, "true"), "VISUAL": ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output.hasPrefix("\(path): domain XML not changed\n"))
        let after = try EditFixtures.read(path)
        #expect(EditFixtures.differingOffsets(before, after) == [24])  // was_running: after the 16-byte magic, version and data_len
    }

    @Test(arguments: [
        ("sed -i \"s#<memory unit='KiB'>32768#<memory unit='KiB'>65536#\" \"$1\"", "Target domain max memory 65536 does not match source 32768"),
        ("sed -i 's#</domain>#</domai>#' \"$1\"", "Opening and ending tag mismatch"),
        ("exit 3", "exited with status 3"),
    ])
    func refusedWithoutATerminalExits2Untouched(_ change: String, _ message: String) throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy("vnc-11.3", into: directory)
        let before = try EditFixtures.read(path)
        let result = try CLI.run(["edit", path], environment: ["EDITOR": try Self.editor(directory, change), "VISUAL": "",
                                                               "TMPDIR": directory.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(message))
        #expect(result.stderr.contains(path) && !result.stderr.contains("saveimg-edit-"))
        if message.hasPrefix("Target") { #expect(result.stderr.components(separatedBy: message).count == 2) }  // said once
        #expect(try EditFixtures.read(path) == before)
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("saveimg-edit-") }
        #expect(left.isEmpty)
    }

    @Test func jsonSaysWhatChangedWithoutSecrets() throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy("vnc-spice-9.0", into: directory)
        let change = try Self.editor(directory, "sed -i 's#<on_crash>destroy#<on_crash>restart#' \"$1\"")
        let result = try CLI.run(["edit", "--json", path, "--paused"], environment: ["EDITOR": change, "VISUAL": ""])
        #expect(result.status == 0, "\(result.stderr)")
        // One shape for every edit command: schema edit_result, as define, set-state, ext add/remove.
        let object = try #require(try JSONSchema.validate(result, "edit").first)
        #expect(object["file"] as? String == path)
        #expect(object["output"] as? String == path)
        #expect(object["changed"] as? Bool == true)
        #expect((object["old"] as? [String: Any])?["was_running"] as? Int == 1)
        #expect((object["new"] as? [String: Any])?["was_running"] as? Int == 0)
        let secrets = try #require(object["secrets"] as? [String: Any])
        #expect(secrets["kept"] as? [String] == ["VNC (<graphics type='vnc'>)", "SPICE (<graphics type='spice'>)"])
        #expect(!result.output.contains("vnc-pw42") && !result.output.contains("spice-s3cret-pw"))

        // Saved without a change: the same shape, changed false.
        let same = try CLI.run(["edit", "--json", path], environment: ["EDITOR": "true", "VISUAL": ""])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(try JSONSchema.validate(same, "edit").first?["changed"] as? Bool == false)

        let abi = try Self.editor(directory, "sed -i \"s#<memory unit='KiB'>32768#<memory unit='KiB'>65536#\" \"$1\"")
        let refused = try CLI.run(["edit", "--json", path], environment: ["EDITOR": abi, "VISUAL": ""])
        #expect(refused.status == 2)
        // A refused edit: the error line every command prints for a file it could not handle.
        let report = try #require(try JSONSchema.validate(refused, "edit").first)
        let error = try #require(report["error"] as? [String: Any])
        #expect(error["code"] as? String == "edit_rejected")
        #expect(error["libvirt_message"] as? String == "Target domain max memory 65536 does not match source 32768")
    }

    /// saveimg killed (SIGTERM, SIGHUP) while the editor runs: the temporary file goes too.
    @Test func temporaryFileRemovedWhenKilledDuringTheEdit() throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy("vnc-11.3", into: directory)
        let before = try EditFixtures.read(path)
        let editor = try Self.editor(directory, "sleep 3")
        let process = Process()
        // The test runner blocks SIGTERM and children inherit that mask: start saveimg with
        // none blocked, as a shell does (python unblocks, then execs saveimg in its place).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                             + "os.execv(sys.argv[1], sys.argv[1:])", CLI.executable, "edit", path]
        var environment = ProcessInfo.processInfo.environment
        environment["EDITOR"] = editor
        environment["VISUAL"] = ""
        environment["TMPDIR"] = directory.path
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var seen: [String] = []
        for _ in 0..<100 where seen.count < 2 {
            usleep(50_000)
            seen = (try? Self.seen(directory)) ?? []
        }
        let tempFile = String(try #require(seen.first).dropFirst(4))
        #expect(FileManager.default.fileExists(atPath: tempFile))
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(!FileManager.default.fileExists(atPath: tempFile))
        #expect(try EditFixtures.read(path) == before)
    }

    /// On a terminal (script(1) gives one): "Failed. Try again? [y,n,f,?]" as virsh 9.0 asks; f forces.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func terminalOffersTryAgainAndForce() throws {
        let directory = try TemporaryDirectory()
        let path = try SecretFixtures.copy("vnc-11.3", into: directory)
        let editor = try Self.editor(directory, "sed -i \"s#<memory unit='KiB'>32768#<memory unit='KiB'>65536#\" \"$1\"")
        let command = "\(CLI.executable) edit \(path)"
        let result = try TestProcess.run(["/usr/bin/script", "-qec", command, "/dev/null"], stdin: Array("?\nf\n".utf8),
                                         environment: ["EDITOR": editor, "VISUAL": ""])
        let output = String(decoding: result.stdout, as: UTF8.self)
        #expect(output.contains("Failed. Try again? [y,n,f,?]"), "\(output)")
        #expect(output.contains("f - force, try to redefine again"))
        #expect(try SaveImage(contentsOf: path).domain.memoryKiB == 65536)
    }
}
