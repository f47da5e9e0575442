import Foundation
import Testing
@testable import SaveImage

/// Paths that are not plain readable, writable image files, and links.
@Suite struct HostileFileSystemTests {
    /// Directory, FIFO, character devices: a clear `not_regular_file` error at
    /// once (a FIFO with no writer must not block, /dev/zero must not flood).
    @Test func nonRegularFilesAreRefusedQuickly() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.path + "/pipe.sav"
        try #require(mkfifo(fifo, 0o600) == 0)
        for path in [directory.path, fifo, "/dev/zero", "/dev/null", "/dev/urandom"] {
            #expect(throws: SaveImageError.self) { try SaveImage(contentsOf: path) }
            do { _ = try SaveImage(contentsOf: path) } catch { #expect(error.code == .notRegularFile, "\(path)") }
            for arguments in [["inspect", path], ["dumpxml", path], ["set-state", "--paused", path]] {
                let run = try Hostile.saveimg(arguments, timeout: 10)
                #expect(run.status == 2, "\(arguments): \(run.stderr)")
                #expect(run.stderr.contains(path))
                #expect(run.stderr.contains("regular file") || run.stderr.contains("Is a directory"), "\(run.stderr)")
            }
        }
    }

    /// A /proc file is "regular" but reports size 0: a truncated-header error, no endless read.
    @Test func procFileReportsTruncatedHeader() throws {
        let run = try Hostile.saveimg(["inspect", "/proc/self/status"], timeout: 10)
        #expect(run.status == 2)
        #expect(run.stderr.contains("expected 92 bytes"), "\(run.stderr)")
    }

    /// Unreadable: tests run as root, which reads mode-000 files, so the CLI
    /// is run as `nobody` (setpriv) on a mode-000 copy: EACCES, exit 2.
    @Test(.enabled(if: HostileTools.isRoot && HostileTools.setpriv,
                   "needs root and setpriv to run the CLI as an unprivileged user"))
    func unreadableFile() throws {
        let directory = try TemporaryDirectory()
        chmod(directory.path, 0o755)
        let image = try directory.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
        chmod(image, 0o000)
        let before = try FileSnapshot(image)
        let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        for arguments in [["inspect", image], ["set-state", "--paused", image]] {
            let run = try Hostile.saveimg(arguments, wrapper: nobody, timeout: 10)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(image))
            #expect(run.stderr.contains("Permission denied"), "\(run.stderr)")
        }
        #expect(try FileSnapshot(image) == before)
    }

    /// Read-only for edits, three ways: immutable attribute (refuses even
    /// root), a read-only mount, and mode 0444 for an unprivileged user.
    /// Edits fail with exit 2, the file and directory are untouched.
    @Test func readOnlyFileIsNotEdited() throws {
        let directory = try TemporaryDirectory()
        chmod(directory.path, 0o755)
        let image = try directory.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
        let grown = try directory.write("big.xml", try HostileCrashTests.grownDomainXML())
        let edits = [["set-state", "--paused", image], ["define", image, grown], ["convert", image, image, "--format", "gzip"]]
        var tried = 0

        if HostileTools.isRoot, try Hostile.command(["/usr/bin/chattr", "+i", image]).status == 0 {
            defer { _ = try? Hostile.command(["/usr/bin/chattr", "-i", image]) }
            let before = try FileSnapshot(image)
            for arguments in edits {
                let run = try Hostile.saveimg(arguments)
                #expect(run.status == 2, "immutable \(arguments): \(run.stderr)")
                #expect(run.stderr.contains(image) || run.stderr.contains("vm.sav"))
                #expect(try FileSnapshot(image) == before)
            }
            tried += 1
        }

        chmod(image, 0o444)
        let before = try FileSnapshot(image)
        // Root ignores mode bits: run as nobody. Anyone else is refused by the mode itself.
        if !HostileTools.isRoot || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") {
            let nobody = HostileTools.isRoot ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
            chmod(directory.path, 0o555)  // nor may a new file be renamed over it
            defer { chmod(directory.path, 0o755) }
            for arguments in edits {
                let run = try Hostile.saveimg(arguments, wrapper: nobody)
                #expect(run.status == 2, "0444 as nobody \(arguments): \(run.stderr)")
                #expect(try FileSnapshot(image) == before)
            }
            tried += 1
        }

        if HostileTools.canMount {
            let mount = try TemporaryDirectory()
            #expect(try Hostile.command(["/bin/mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.path]).status == 0)
            defer { _ = try? Hostile.command(["/bin/umount", mount.path]) }
            let onMount = try mount.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
            #expect(try Hostile.command(["/bin/mount", "-o", "remount,ro", mount.path]).status == 0)
            let mounted = try FileSnapshot(onMount)
            for arguments in edits.map({ $0.map { $0 == image ? onMount : $0 } }) {
                let run = try Hostile.saveimg(arguments)
                #expect(run.status == 2, "read-only mount \(arguments): \(run.stderr)")
                #expect(run.stderr.contains("Read-only file system"), "\(run.stderr)")
                #expect(try FileSnapshot(onMount) == mounted)
            }
            tried += 1
        }
        #expect(tried > 0, "no way to make a read-only file was available")
        #expect(leftoverTemporaries(beside: image).isEmpty)
    }

    /// No command writes through a symbolic link: editing commands refuse a
    /// link as the image (O_NOFOLLOW) and as --output (even dangling), and
    /// convert refuses a link as OUT. The link's target is never modified or
    /// created.
    @Test func symbolicLinksAreNeverFollowedWhenWriting() throws {
        let directory = try TemporaryDirectory()
        let victim = try directory.write("victim.sav", try Fixtures.bytes("westmere-raw.sav"))
        let source = try directory.write("source.sav", try Fixtures.bytes("qemu64-raw-running.sav"))
        let link = directory.path + "/link.sav"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: victim)
        let dangling = directory.path + "/dangling.sav"
        let created = directory.path + "/created-through-link.sav"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: created)
        let grown = try directory.write("big.xml", try HostileCrashTests.grownDomainXML())
        let cpu = try directory.write("cpu.xml", HostileConcurrencyTests.cpuXML)
        let victimBefore = try FileSnapshot(victim), sourceBefore = try FileSnapshot(source)
        let commands: [[String]] = [
            ["set-state", "--paused", link], ["add-cpu-ext", link, "--cpu", cpu], ["define", link, grown],
            ["convert", link, link, "--format", "gzip"],
            ["set-state", "--paused", source, "--output", link], ["set-state", "--paused", source, "--output", dangling],
            ["convert", source, link, "--format", "gzip"], ["convert", source, dangling, "--format", "gzip"],
        ]
        for arguments in commands {
            for (path, target) in [(link, victim), (dangling, created)] {
                try? FileManager.default.removeItem(atPath: path)
                try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
            }
            let run = try Hostile.saveimg(arguments)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains("link") || run.stderr.contains("exist"), "\(run.stderr)")
            #expect(try FileSnapshot(victim) == victimBefore, "\(arguments) wrote through the link")
            #expect(!FileManager.default.fileExists(atPath: created), "\(arguments) created the link's target")
            #expect(try FileSnapshot(source) == sourceBefore)
        }
        #expect(leftoverTemporaries(beside: victim).isEmpty && leftoverTemporaries(beside: link).isEmpty)
    }
}
