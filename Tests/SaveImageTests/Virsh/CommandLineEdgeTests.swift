import Foundation
import Testing
@testable import SaveImage

/// What a first-time user trips over: mistyped names, conflicting flags,
/// option errors, exit conventions, offsets and sizes.
@Suite struct CommandLineEdgeTests {
    @Test func mistypedCommandsAndOptionsGetASuggestion() throws {
        let command = try CLI.run(["inspec", "x.sav"])
        #expect(command.status == 1)
        #expect(command.stderr.contains("'inspec' is not a saveimg command; did you mean 'inspect'?"))
        let help = try CLI.run(["help", "frob"])
        #expect(help.status == 1 && help.stderr.contains("'frob' is not a saveimg command"))
        #expect(try CLI.run(["help", "inspect"]).status == 0)
        let nested = try CLI.run(["ext", "shw", "x.sav"])
        #expect(nested.status == 1 && nested.stderr.contains("did you mean 'show'?"))
        let option = try CLI.run(["set-state", "x.sav", "--pause"])
        #expect(option.status == 1)
        #expect(option.stderr.contains("unknown option '--pause'; did you mean '--paused'?"))
    }

    /// An option's bad value: one short message naming the command, not the top-level usage.
    @Test func optionErrorsAreShortAndKeepErrno() throws {
        let format = try CLI.run(["convert", "a.sav", "b.sav", "--format", "rar"])
        #expect(format.status == 1)
        #expect(format.stderr.hasPrefix("saveimg convert: --format must be one of"))
        #expect(!format.stderr.contains("USAGE") && !format.stderr.contains("Usage: saveimg <subcommand>"))
        #expect(format.stderr.split(separator: "\n").count == 2)
        let missing = try CLI.run(["verify", "--capabilities", "/nonexistent/caps.xml", Fixtures.path("qemu64-xz.sav")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read /nonexistent/caps.xml: open failed: No such file or directory (errno 2)"))
        #expect(!missing.stderr.contains("Usage: saveimg <subcommand>"))
    }

    /// Errors of a nested command name it as a user types it (`ext show`), not its last word.
    @Test func nestedCommandsAreNamedInFull() throws {
        let missing = try CLI.run(["ext", "show", Fixtures.path("westmere-raw.sav")])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("saveimg ext show: missing the extension index N"), "\(missing.stderr)")
        #expect(missing.stderr.contains("See 'saveimg help ext show'."))
        let option = try CLI.run(["ext", "list", "--jsn", "x.sav"])
        #expect(option.stderr.hasPrefix("saveimg ext list: unknown option '--jsn'; did you mean '--json'?"), "\(option.stderr)")
    }

    /// A file that is not a save image says so, beside libvirt's own message.
    @Test func aTextFileIsNotASaveImage() throws {
        let directory = try TemporaryDirectory()
        let text = try directory.write("notes.txt", Array("hello\n".utf8))
        let result = try CLI.run(["inspect", text])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not a save image"), "\(result.stderr)")
        #expect(result.stderr.contains("failed to read qemu header"))
    }

    @Test func conflictingFlagsAreRefused() throws {
        let path = Fixtures.path("qemu64-xz.sav")
        let caps = Fixtures.testdata + "/capabilities/lab-libvirt-9.0-domcapabilities.xml"
        let noHost = try CLI.run(["verify", "--no-host", "--domcapabilities", caps, path])
        #expect(noHost.status == 1 && noHost.stderr.contains("--no-host"))
        #expect(try CLI.run(["verify", "--domcapabilities", caps, "--capabilities", caps, path]).status == 1)
        // Accepted alone (with the lab's vmstate descriptions, so that the device state is judged).
        #expect(try CLI.run(["verify", "--domcapabilities", caps, "--vmstate", LabTarget.capture, path]).status == 0)
        #expect(try CLI.run(["dumpxml", "-0", path]).status == 1)
        #expect(try CLI.run(["dumpxml", "-0", "--all", path]).status == 0)
    }

    /// `--version` is the program's; convert's header version is --header-version.
    @Test func convertHeaderVersionDoesNotHideVersion() throws {
        #expect(try CLI.run(["--version"]).output == "0.1.0\n")
        let help = try CLI.run(["convert", "--help"]).output
        #expect(help.contains("--header-version <N>"))
        let directory = try TemporaryDirectory()
        let output = directory.path + "/v1.sav"
        let result = try CLI.run(["convert", Fixtures.path("qemu64-raw-running.sav"), output, "--format", "raw", "--header-version", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try SaveImage(contentsOf: output).header.version == 1)
    }

    /// diff(1)'s convention: 0 same, 1 different, 2 trouble.
    @Test func diffCPUExitStatus() throws {
        let different = try CLI.run(["diff-cpu", Fixtures.path("westmere-raw.sav")])
        #expect(different.status == 1 && different.output.hasPrefix("---"))
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let domainCPU = try #require(try image.read().domain.cpu)
        _ = try ImageEditor(path: image.path).run { (image) throws(SaveImageError) in try image.settingCookieCPU(domainCPU.element, force: true) }
        let same = try CLI.run(["diff-cpu", image.path])
        #expect(same.status == 0 && same.output.isEmpty, "\(same.output)")
        #expect(try CLI.run(["diff-cpu", image.path, Fixtures.path("westmere-raw.sav")]).status == 1)
    }

    /// Dry-run offsets (--verbose) are file offsets, the ones inspect prints.
    @Test func dryRunOffsetsAreFileOffsets() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let note = try image.directory.write("note.xml", Array("<note>n</note>".utf8))
        let result = try CLI.run(["ext", "add", image.path, note, "--dry-run", "--verbose"])
        #expect(result.status == 0, "\(result.stderr)")
        let cookieOffset = UInt64(try image.read().header.cookieOffset)
        #expect(result.output.contains("bytes [\(92 + cookieOffset), "), "\(result.output)")
        let inspect = try CLI.run(["ext", "list", image.path]).output
        #expect(inspect.contains("at \(92 + cookieOffset)"))
    }

    /// scan's SIZE is apparent/allocated; a sparse copy allocates less.
    @Test func scanShowsAllocatedSize() throws {
        let directory = try TemporaryDirectory()
        let bytes = try Fixtures.bytes("qemu64-raw-running.sav")
        let path = try directory.write("sparse.sav", bytes)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(bytes.count) + 64 * 1024 * 1024)  // a 64 MiB hole at the end
        try handle.close()
        let json = try CLI.run(["scan", "--json", directory.path]).output
        let line = try #require(json.split(separator: "\n").first)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let apparent = try #require(record["file_size"] as? Int), allocated = try #require(record["allocated_bytes"] as? Int)
        #expect(apparent == bytes.count + 64 * 1024 * 1024)
        #expect(allocated < bytes.count + 4096 * 4)
        let table = try CLI.run(["scan", directory.path]).output
        #expect(table.contains("SIZE/ALLOC") && table.contains("65M/"))
    }

    /// A failed write names the user's file, not saveimg's temporary one beside it.
    @Test func writeErrorsNameTheUsersPath() throws {
        let directory = try TemporaryDirectory()
        let target = directory.path + "/missing-dir/out.sav"
        for arguments in [["set-state", Fixtures.path("qemu64-xz.sav"), "--paused", "--output", target],
                          ["convert", Fixtures.path("qemu64-xz.sav"), target, "--format", "raw"]] {
            let result = try CLI.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.hasPrefix("saveimg \(arguments[0]): \(target): "), "\(result.stderr)")
            #expect(!result.stderr.contains(".saveimg"), "\(result.stderr)")
            #expect(result.stderr.contains("No such file or directory"))
        }
    }

    /// Help speaks a user's vocabulary: no repository paths or internal profile names.
    @Test func helpHasNoRepositoryPathsOrProfileNames() throws {
        let commands = ["inspect", "dumpxml", "add-cpu-ext", "ext", "define", "edit", "set-state", "convert", "check",
                        "seal", "verify", "scan", "diff-cpu"]
        for command in commands {
            let help = try CLI.run(["help", command]).output
            #expect(!help.isEmpty, "\(command)")
            for word in ["scripts/", "testdata", "(lab,", "`lab`", "profile (lab"] {
                #expect(!help.contains(word), "\(command): \(word)")
            }
        }
    }
}
