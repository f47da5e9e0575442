import Foundation
import Testing
@testable import SaveImage

/// `--managed-save NAME`: libvirt's managed save file of a domain, by name.
@Suite struct ManagedSaveTests {
    /// A managed-save directory holding the real managed save the 9.0 lab made.
    static func directory() throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.testdata + "/libvirt-9.0-lab/qemu64-managedsave.sav")))
        _ = try directory.write("fixture-lab-qemu64.save", bytes)
        return directory
    }

    @Test func resolvesByOptionAndEnvironment() throws {
        let directory = try Self.directory()
        let file = directory.path + "/fixture-lab-qemu64.save"
        let byOption = try CLI.run(["dumpxml", "--managed-save", "fixture-lab-qemu64", "--managed-save-dir", directory.path])
        #expect(byOption.status == 0, "\(byOption.stderr)")
        #expect(byOption.stdout == (try CLI.run(["dumpxml", file]).stdout))
        let inspect = try CLI.run(["inspect", "--managed-save", "fixture-lab-qemu64"],
                                  environment: ["SAVEIMG_MANAGED_SAVE_DIR": directory.path])
        #expect(inspect.status == 0 && inspect.output.hasPrefix(file + ":"), "\(inspect.stderr)")
        for arguments in [["check"], ["diff-cpu"], ["verify"], ["ext", "list"]] {
            let result = try CLI.run(arguments + ["--managed-save", "fixture-lab-qemu64", "--managed-save-dir", directory.path])
            #expect([0, 1, 3, 4].contains(result.status), "\(arguments): \(result.stderr)")  // diff-cpu: 1 = the CPUs differ; verify: 4 = cannot tell
            #expect(!result.stderr.contains("Usage"), "\(arguments)")
        }
    }

    @Test func editsTakeTheDomainName() throws {
        let directory = try Self.directory()
        let file = directory.path + "/fixture-lab-qemu64.save"
        let result = try CLI.run(["set-state", "--managed-save", "fixture-lab-qemu64", "--managed-save-dir", directory.path, "--paused"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try SaveImage(contentsOf: file).header.wasRunning == 0)
        let xml = try directory.write("vm.xml", try SaveImage(contentsOf: file).region.domainXML.bytes)
        let define = try CLI.run(["define", "--managed-save", "fixture-lab-qemu64", "--managed-save-dir", directory.path, xml, "--running"])
        #expect(define.status == 0, "\(define.stderr)")
        #expect(try SaveImage(contentsOf: file).header.wasRunning == 1)
    }

    @Test func missingNamesThePathAndConflictsAreRefused() throws {
        let directory = try Self.directory()
        let missing = try CLI.run(["inspect", "--managed-save", "nosuch", "--managed-save-dir", directory.path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains(directory.path + "/nosuch.save") && missing.stderr.contains("No such file or directory"))
        #expect(try CLI.run(["dumpxml", "x.sav", "--managed-save", "vm"]).status == 1)
        #expect(try CLI.run(["inspect", "--managed-save", "../etc/x"]).status == 1)
        #expect(try CLI.run(["inspect"]).status == 1)
    }
}

/// Shell completion offers the formats, libvirt versions and managed-save domain names.
@Suite struct CompletionTests {
    @Test func completionOffersFormatsVersionsAndDomains() throws {
        let script = try CLI.run(["--generate-completion-script", "bash"]).output
        #expect(script.contains("'raw'$'\\n''gzip'$'\\n''bzip2'$'\\n''xz'$'\\n''lzop'$'\\n''zstd'$'\\n''sparse'"))
        // The measured releases and `local` (this machine), what a user would type; not 3.2 3.5 4.7 or `current`.
        #expect(script.contains("'7.0'$'\\n''9.0'$'\\n''11.3'$'\\n''12.8'$'\\n''local'"))
        #expect(!script.contains("'3.2'$'\\n''3.5'") && !script.contains("''current'"))
        #expect(script.contains("---completion inspect -- --managed-save"))
        let directory = try ManagedSaveTests.directory()
        _ = try directory.write("other-vm.save", [0])
        _ = try directory.write("not-a-save.xml", [0])
        let names = try CLI.run(["---completion", "inspect", "--", "--managed-save", "2", "0"],
                                environment: ["SAVEIMG_MANAGED_SAVE_DIR": directory.path])
        #expect(names.output.split(separator: "\n") == ["fixture-lab-qemu64", "other-vm"])
    }
}
