import Foundation
import Testing
@testable import SaveImage

/// Converting into and out of sparse is as crash-safe as any convert: ENOSPC
/// and SIGINT leave IN untouched and no OUT (nor a temporary file).
@Suite(.serialized) struct SparseSafetyTests {
    @Test("ENOSPC converting into and out of sparse: IN untouched, no OUT",
          .enabled(if: HostileTools.canMount, "needs root and permission to mount a tmpfs"))
    func noSpace() throws {
        let directory = try TemporaryDirectory()
        let mount = try Hostile.command(["/bin/mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", directory.path])
        try #require(mount.status == 0, "mount: \(mount.stderr)")
        defer { _ = try? Hostile.command(["/bin/umount", directory.path]) }
        let unpacked = try TemporaryDirectory()
        let sparseSource = try SparseFixtures.unpack("qemu64-sparse.sav", into: unpacked)
        let sparse = directory.path + "/in-sparse.sav"
        try SparseFixtures.sparseCopy(sparseSource, to: sparse)
        let raw = try directory.write("in-raw.sav", try StreamFixtures.file(SparseFixtures.path("qemu64-raw.sav")))
        let filler = directory.path + "/filler"
        _ = try Hostile.command(["/bin/dd", "if=/dev/zero", "of=" + filler, "bs=4096"])
        #expect(try Hostile.command(["/usr/bin/truncate", "-s", "-\(64 * 1024)", filler]).status == 0)
        let before = (try FileSnapshot(sparse), try FileSnapshot(raw))
        for (input, format) in [(raw, "sparse"), (sparse, "raw"), (sparse, "sparse")] {
            let output = directory.path + "/out.sav"
            let run = try Hostile.saveimg(["convert", input, output, "--format", format])
            #expect(run.status == 2, "\(format): \(run.stderr)")
            #expect(run.stderr.contains("No space left on device"), "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: output))
            #expect(leftoverTemporaries(beside: output).isEmpty)
        }
        #expect(try FileSnapshot(sparse) == before.0)
        #expect(try FileSnapshot(raw) == before.1)
    }

    @Test("SIGINT mid-convert into sparse removes the temporary file: no OUT, IN untouched",
          .enabled(if: HostileTools.strace, "needs /usr/bin/strace to hold the convert mid-write"))
    func interrupted() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("in.sav", try StreamFixtures.file(SparseFixtures.path("qemu64-raw.sav")))
        let before = try SparseFixtures.sha256(input)
        let output = directory.path + "/out.sav"
        let process = try TestProcess.start([
            "/usr/bin/python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                + "os.execv(sys.argv[1], sys.argv[1:])",
            "/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwrite64",
            "-e", "inject=pwrite64:delay_enter=2000000:when=3",
            CLI.executable, "convert", input, output, "--format", "sparse"])
        let temporaries = TestProcess.awaitTemporaries(beside: output, attempts: 150)
        let name = try #require(temporaries.first, "no temporary file appeared")
        let pid = try #require(name.split(separator: "-").dropLast().last.flatMap { pid_t($0) })
        #expect(kill(pid, SIGINT) == 0)
        process.waitUntilExit()
        #expect(leftoverTemporaries(beside: output).isEmpty)
        #expect(try StreamFixtures.listing(directory.path) == ["in.sav"])
        #expect(try SparseFixtures.sha256(input) == before)
    }
}
