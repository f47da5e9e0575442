import Foundation
import Testing
@testable import SaveImage

/// Two editors on one file, a save in progress, and readers during edits.
@Suite(.serialized) struct HostileConcurrencyTests {
    static let cpuXML = EditFixtures.cpuXML(model: "Westmere", features: ["pclmuldq", "hypervisor", "arat", "x2apic"])

    /// The first editor is held inside its first fsync (strace delays the
    /// call by 2 s) while a second editor starts: the second is refused at
    /// once with a clear message, the first completes, the file is its result.
    @Test(.enabled(if: HostileTools.strace, "needs /usr/bin/strace to hold the first editor mid-write"))
    func secondEditorIsRefusedWhileTheFirstWrites() throws {
        let directory = try TemporaryDirectory()
        let image = try directory.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
        let cpu = try directory.write("cpu.xml", Self.cpuXML)
        let first = Process()
        first.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
        first.arguments = ["-f", "-qq", "-o", "/dev/null", "-e", "trace=fsync", "-e", "inject=fsync:delay_enter=2000000:when=1",
                           CLI.executable, "add-cpu-ext", image, "--cpu", cpu]
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        // Wait until the first editor holds the lock (its fsync is being delayed).
        var waited = 0
        while waited < 100, !Self.isLocked(image) { usleep(20_000); waited += 1 }
        #expect(Self.isLocked(image), "the first editor never took its lock")
        let second = try Hostile.saveimg(["set-state", "--paused", image], timeout: 10)
        #expect(second.status == 2)
        #expect(second.stderr.contains(image))
        #expect(second.stderr.contains("another"), "\(second.stderr)")
        #expect(second.seconds < 1.5, "the second editor waited instead of being refused")
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        let result = try SaveImage.open(image, recovery: .rollBack)
        #expect(result.cookie?.cpu?.features.map(\.name).contains("x2apic") == true)
        #expect(result.header.wasRunning == 1, "the refused set-state --paused must not have run")
    }

    /// Whether some process holds an exclusive flock on `path`.
    static func isLocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 { flock(fd, LOCK_UN); return false }
        return true
    }

    /// A file whose magic is `LibvirtQemudPart` (libvirt is still writing it)
    /// is never modified by any editing command, nor by convert.
    @Test func editorsNeverTouchASaveInProgress() throws {
        let directory = try TemporaryDirectory()
        var bytes = try Fixtures.bytes("westmere-raw.sav")
        bytes.replaceSubrange(0..<16, with: Array("LibvirtQemudPart".utf8))
        let image = try directory.write("vm.sav", bytes)
        let cpu = try directory.write("cpu.xml", Self.cpuXML)
        let ext = try directory.write("ext.xml", Array("<note xmlns='urn:example:saveimg'/>".utf8))
        let xml = try directory.write("domain.xml", try Hostile.documents().xml)
        let before = try FileSnapshot(image)
        let commands: [[String]] = [
            ["add-cpu-ext", image, "--cpu", cpu], ["ext", "add", image, ext], ["ext", "remove", image, "1"],
            ["define", image, xml], ["set-state", "--paused", image], ["convert", image, image, "--format", "gzip"],
        ]
        for arguments in commands {
            let run = try Hostile.saveimg(arguments)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains("LibvirtQemudPart") || run.stderr.contains("incomplete"), "\(run.stderr)")
            #expect(try FileSnapshot(image) == before, "\(arguments[0]) touched a save in progress")
        }
        #expect(leftoverTemporaries(beside: image).isEmpty)
    }

    /// A reader looping over the header while another process edits the
    /// image in place 40 times never sees a torn header: every header it
    /// reads parses and is one of the headers the edits write.
    @Test func readerNeverSeesATornHeader() throws {
        let directory = try TemporaryDirectory()
        let image = try directory.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
        let cpuA = try directory.write("a.xml", Self.cpuXML)
        let cpuB = try directory.write("b.xml", EditFixtures.cpuXML(model: "Westmere", features: ["pclmuldq", "arat"]))
        let script = """
            for i in $(seq 10); do
              "$0" add-cpu-ext "$1" --cpu "$2" >/dev/null && "$0" set-state --paused "$1" >/dev/null &&
              "$0" add-cpu-ext "$1" --cpu "$3" >/dev/null && "$0" set-state --running "$1" >/dev/null || exit 1
            done
            """
        let editor = Process()
        editor.executableURL = URL(fileURLWithPath: "/bin/sh")
        editor.arguments = ["-c", script, CLI.executable, image, cpuA, cpuB]
        try editor.run()
        let fd = open(image, O_RDONLY)
        defer { close(fd) }
        var headers = Set<[UInt8]>(), reads = 0, torn = 0, imageErrors = 0
        var buffer = [UInt8](repeating: 0, count: 92)
        while editor.isRunning || reads == 0 {
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 92, 0) }
            reads += 1
            if got != 92 || (try? SaveImageHeader(parsing: buffer)) == nil { torn += 1 } else { headers.insert(buffer) }
            if reads % 50 == 0, (try? SaveImage.open(image, recovery: .rollBack)) == nil { imageErrors += 1 }
        }
        editor.waitUntilExit()
        #expect(editor.terminationStatus == 0)
        #expect(torn == 0, "\(torn) torn headers in \(reads) reads")
        #expect(reads > 100)
        // Every header seen is one the edits write: data_len and the stream never move.
        for header in headers {
            #expect(header.word(at: 20) == 66853)
            #expect(Array(header.prefix(16)) == Array("LibvirtQemudSave".utf8))
        }
        print("reader: \(reads) header reads, \(headers.count) distinct headers, \(torn) torn; "
              + "\(imageErrors) of \(reads / 50) whole-image reads failed")
    }
}
