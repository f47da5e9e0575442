import Foundation
import Testing
@testable import SaveImage

/// Tools these suites need; a missing one skips the test with this reason.
enum HostileTools {
    /// strace is installed and may trace here (ptrace can be forbidden in containers).
    static let strace = FileManager.default.isExecutableFile(atPath: "/usr/bin/strace")
        && (try? Hostile.command(["/usr/bin/strace", "-qq", "-o", "/dev/null", "/bin/true"]))?.status == 0
    static let isRoot = getuid() == 0
    /// Whether this process may mount a tmpfs (root in a namespace that allows it).
    static let canMount: Bool = {
        guard isRoot, let directory = try? TemporaryDirectory() else { return false }
        let mounted = (try? Hostile.command(["/bin/mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", directory.path]))?
            .status == 0
        if mounted { _ = try? Hostile.command(["/bin/umount", directory.path]) }
        return mounted
    }()
    static let setpriv = FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

    /// SAVEIMG_REQUIRE_PRIVILEGED_TESTS=1 (scripts/test.sh sets it when run as
    /// root, as CI is): the root, strace and mount tests must run, so a
    /// missing tool fails ``HostilePrivilegedToolsTests`` instead of skipping.
    static let required = ProcessInfo.processInfo.environment["SAVEIMG_REQUIRE_PRIVILEGED_TESTS"] == "1"

    /// What is missing for the privileged tests, empty when they can all run.
    static var missing: [String] {
        var missing: [String] = []
        if !isRoot { missing.append("root (uid 0)") }
        if !strace { missing.append("/usr/bin/strace that may trace (apt-get install strace; ptrace allowed)") }
        if !canMount { missing.append("permission to mount a tmpfs (root, CAP_SYS_ADMIN)") }
        if !setpriv { missing.append("/usr/bin/setpriv (util-linux)") }
        return missing
    }
}

/// The safety table in DESIGN.md rests on the root/strace/mount tests; in CI
/// they must run, not skip.
@Suite("Hostile: privileged tools")
struct HostilePrivilegedToolsTests {
    @Test("when required (CI as root), strace, mount and setpriv are all available, so no privileged test skips")
    func toolsPresentWhenRequired() {
        if HostileTools.required {
            #expect(HostileTools.missing.isEmpty,
                    "SAVEIMG_REQUIRE_PRIVILEGED_TESTS=1 but missing: \(HostileTools.missing.joined(separator: "; "))")
        } else if !HostileTools.missing.isEmpty {
            print("privileged tests skip on this machine: missing \(HostileTools.missing.joined(separator: "; "))")
        }
    }
}

/// One edit whose every write step is interrupted by SIGKILL.
struct CrashScenario: CustomTestStringConvertible, Sendable {
    var name: String
    var fixture: String
    /// Arguments with `IMAGE` standing for the image's path and `DIR` for its directory.
    var arguments: [String]
    /// Extra files (name, bytes) put in the directory first.
    var inputs: [String: [UInt8]] = [:]
    /// Edits in place (free bytes of the region may differ from both images); else byte-exact.
    var inPlace = false
    /// The image, when not `fixture`.
    var image: (@Sendable () throws -> [UInt8])? = nil
    /// Kill only at these calls (nil: at every one of ``HostileCrashTests/killCalls``).
    var killCalls: [String]? = nil
    var testDescription: String { name }

    func argv(image: String, directory: String) -> [String] {
        arguments.map { $0.replacingOccurrences(of: "IMAGE", with: image).replacingOccurrences(of: "DIR", with: directory) }
    }
}

/// Crash safety: `kill -9` at each system call of an edit that touches the
/// file system (strace's fault injection delivers SIGKILL on entry to the
/// Nth call), then the image must be exactly the old one or exactly the new
/// one, and read as valid.
@Suite(.serialized) struct HostileCrashTests {
    /// The system calls at which the process is killed.
    static let killCalls = ["openat", "pread64", "pwrite64", "write", "fsync", "fdatasync", "ftruncate", "fallocate",
                            "copy_file_range", "lseek", "fchmod", "fchown", "fsetxattr", "flistxattr", "rename",
                            "renameat", "renameat2", "unlink", "close", "flock"]

    static let scenarios: [CrashScenario] = [
        CrashScenario(name: "add-cpu-ext in place", fixture: "westmere-raw.sav",
                      arguments: ["add-cpu-ext", "IMAGE", "--cpu", "DIR/cpu.xml"],
                      inputs: ["cpu.xml": EditFixtures.cpuXML(model: "Westmere",
                                                              features: ["pclmuldq", "hypervisor", "arat", "x2apic"])],
                      inPlace: true),
        CrashScenario(name: "ext add in place", fixture: "qemu64-raw-running.sav",
                      arguments: ["ext", "add", "IMAGE", "DIR/ext.xml"],
                      inputs: ["ext.xml": Array("<note xmlns='urn:example:saveimg'>crash test</note>".utf8)],
                      inPlace: true),
        CrashScenario(name: "define in place (journaled)", fixture: "westmere-raw.sav",
                      arguments: ["define", "IMAGE", "DIR/small.xml"],
                      inputs: ["small.xml": (try? Hostile.domainXML(inserting: "<description>in place</description>")) ?? []]),
        CrashScenario(name: "define growing the data region", fixture: "westmere-raw.sav",
                      arguments: ["define", "IMAGE", "DIR/big.xml"],
                      inputs: ["big.xml": (try? HostileCrashTests.grownDomainXML()) ?? []]),
        CrashScenario(name: "convert in place to gzip", fixture: "qemu64-raw-running.sav",
                      arguments: ["convert", "IMAGE", "IMAGE", "--format", "gzip", "--threads", "1"]),
        CrashScenario(name: "convert in place from gzip to raw", fixture: "qemu64-gzip.sav",
                      arguments: ["convert", "IMAGE", "IMAGE", "--format", "raw"]),
        // The direct-I/O writer: 8 chunks written by its thread, an fdatasync,
        // the buffered tail, the fsync and the rename.
        CrashScenario(name: "convert a 37 MB image in place (direct writer)", fixture: "",
                      arguments: ["convert", "IMAGE", "IMAGE", "--format", "raw", "--byte-order", "big"],
                      image: HostileInjectedErrorTests.largeImage,
                      killCalls: ["openat", "pwrite64", "fdatasync", "fsync", "fchmod", "close", "rename"]),
    ]

    /// Whether `image` is `reference`: byte for byte, or, for an in-place
    /// edit, the same header, documents and stream with only bytes no header
    /// word points to differing (the writer puts new documents into free bytes
    /// before the header commit and zeroes the old chain after it).
    static func same(_ image: [UInt8], _ reference: [UInt8], inPlace: Bool) -> Bool {
        if image == reference { return true }
        guard inPlace, image.count == reference.count, image.prefix(92) == reference.prefix(92),
              let a = try? read(image), let b = try? read(reference)
        else { return false }
        return a.content == b.content && image[Int(a.streamOffset)...] == reference[Int(b.streamOffset)...]
    }

    static func read(_ bytes: [UInt8]) throws -> SaveImage {
        let header = try SaveImageHeader(parsing: Array(bytes.prefix(92)))
        let end = 92 + Int(header.dataLength)
        guard end <= bytes.count else { throw SaveImageError(.io, path: "", field: "", expected: "", found: "") }
        return try SaveImage(header: header, regionBytes: Array(bytes[92..<end]),
                             streamPrefix: Array(bytes[end..<min(bytes.count, end + 4096)]), fileSize: UInt64(bytes.count))
    }

    /// The fixture's domain XML with a 70 KB description: larger than the 64 KiB padding.
    static func grownDomainXML() throws -> [UInt8] {
        try Hostile.domainXML(inserting: "<description>" + String(repeating: "grow ", count: 14_000) + "</description>")
    }

    /// A fresh copy of the scenario's image and inputs.
    static func prepare(_ scenario: CrashScenario) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        for (name, bytes) in scenario.inputs { _ = try directory.write(name, bytes) }
        let image = try directory.write("vm.sav", try scenario.image?() ?? Fixtures.bytes(scenario.fixture))
        return (directory, image)
    }

    /// The ordered (call, occurrence) list the edit makes after opening the image.
    static func killPoints(_ scenario: CrashScenario) throws -> [(call: String, occurrence: Int)] {
        let (directory, image) = try prepare(scenario)
        let log = directory.path + "/trace.txt"
        let run = try Hostile.saveimg(scenario.argv(image: image, directory: directory.path),
                                      wrapper: ["/usr/bin/strace", "-f", "-qq", "-o", log,
                                                "-e", "trace=" + (scenario.killCalls ?? killCalls).joined(separator: ",")])
        #expect(run.status == 0, "\(run.stderr)")
        var counts: [String: Int] = [:]
        var points: [(String, Int)] = []
        var opened = false
        for line in try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n") {
            // "1234  pwrite64(3, ..." (the pid prefix comes from -f).
            let text = line.drop { $0.isNumber || $0 == " " }
            guard let paren = text.firstIndex(of: "("), !text.hasPrefix("+++"), !text.hasPrefix("---") else { continue }
            let call = String(text[..<paren])
            guard (scenario.killCalls ?? killCalls).contains(call) else { continue }
            counts[call, default: 0] += 1
            if call == "openat", text.contains("vm.sav") { opened = true }
            if opened { points.append((call, counts[call]!)) }
        }
        return points
    }

    @Test(.enabled(if: HostileTools.strace, "needs /usr/bin/strace for fault injection"), arguments: scenarios)
    func killedAtEverySystemCall(_ scenario: CrashScenario) throws {
        // The reference result of an uninterrupted run.
        let (referenceDirectory, referenceImage) = try Self.prepare(scenario)
        let old = try Hostile.read(referenceImage)
        let done = try Hostile.saveimg(scenario.argv(image: referenceImage, directory: referenceDirectory.path))
        #expect(done.status == 0, "\(done.stderr)")
        let new = try Hostile.read(referenceImage)
        #expect(new != old)

        let points = try Self.killPoints(scenario)
        #expect(points.count >= 10, "only \(points.count) kill points")
        var killed = 0, sawOld = 0, sawNew = 0, marked = 0
        for point in points {
            let (directory, image) = try Self.prepare(scenario)
            let run = try Hostile.saveimg(
                scenario.argv(image: image, directory: directory.path),
                wrapper: ["/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=\(point.call)",
                          "-e", "inject=\(point.call):signal=KILL:when=\(point.occurrence)"])
            if run.status == 137 { killed += 1 } else { #expect(run.status == 0, "\(point): \(run.stderr)") }
            let after = try Self.recoveredIfMarked(image, killedAt: "\(point.call) #\(point.occurrence)") { marked += 1 }
            let isOld = Self.same(after, old, inPlace: scenario.inPlace)
            let isNew = Self.same(after, new, inPlace: scenario.inPlace)
            #expect(isOld || isNew, "killed at \(point.call) #\(point.occurrence): neither the old nor the new image")
            if isOld { sawOld += 1 }
            if isNew { sawNew += 1 }
            #expect(throws: Never.self, "killed at \(point.call) #\(point.occurrence)") { try SaveImage.open(image, recovery: .rollBack) }
            // A killed process cannot remove its temporary file; it is named so it can be found.
            for name in leftoverTemporaries(beside: image) { #expect(name.hasPrefix(".vm.sav.saveimg-")) }
        }
        #expect(killed >= 10, "\(scenario.name): only \(killed) runs were killed")
        #expect(sawOld > 0 && sawNew > 0)
        HostileCrashTests.record(scenario: scenario.name, points: points.count, killed: killed, old: sawOld, new: sawNew)
        if marked > 0 { print("crash-safety: \(scenario.name): \(marked)× left marked LibvirtQemudPart, rolled back on open") }
    }

    /// The image's bytes after a kill, as the next saveimg leaves them: an
    /// image left with the `LibvirtQemudPart` magic (libvirt refuses it) must
    /// have saveimg's journal beside it, and reading it rolls it back.
    static func recoveredIfMarked(_ image: String, killedAt: String, marked: () -> Void) throws -> [UInt8] {
        let bytes = try Hostile.read(image)
        guard bytes.prefix(16) == Array("LibvirtQemudPart".utf8)[...] else { return bytes }
        marked()
        #expect(FileManager.default.fileExists(atPath: EditJournal.path(for: image)),
                "killed at \(killedAt): marked incomplete without saveimg's journal")
        let inspect = try Hostile.saveimg(["inspect", image])
        #expect(inspect.status == 0, "killed at \(killedAt): inspect after the kill: \(inspect.stderr)")
        #expect(!FileManager.default.fileExists(atPath: EditJournal.path(for: image)))
        return try Hostile.read(image)
    }

    /// Random-delay `kill -9` of the same edits, the way a power cut or OOM kill lands.
    ///
    /// Seeded (SAVEIMG_CRASH_SEED=N reruns a failure; the seed is printed).
    /// Delays are drawn around the end of an uninterrupted run, where the
    /// write is, in a window that closes in on the write; a kill counts as landing inside the write when the process
    /// died of it and the write had begun (a temporary file left, or the
    /// image's bytes changed). Fails when fewer than `wantedInside` did.
    @Test(arguments: scenarios)
    func killedAfterRandomDelays(_ scenario: CrashScenario) throws {
        let seed = ProcessInfo.processInfo.environment["SAVEIMG_CRASH_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 0...UInt64.max)
        print("killedAfterRandomDelays(\(scenario.name)): seed \(seed) (rerun with SAVEIMG_CRASH_SEED=\(seed))")
        var generator = SplitMix64(seed: seed)
        let (referenceDirectory, referenceImage) = try Self.prepare(scenario)
        let old = try Hostile.read(referenceImage)
        let reference = try Hostile.saveimg(scenario.argv(image: referenceImage, directory: referenceDirectory.path))
        #expect(reference.status == 0, "\(reference.stderr)")
        let new = try Hostile.read(referenceImage)
        let duration = max(reference.seconds, 0.005)
        let wantedInside = 2
        var inside = 0, attempts = 0, exited = 0
        var low = duration * 0.3, high = duration * 1.3
        // At least 8 kills, and on until `wantedInside` landed inside the write (at most 200: under a
        // loaded machine, as when the whole suite runs in parallel, the write moves within the run).
        while inside < wantedInside || attempts < 8, attempts < 200 {
            attempts += 1
            let (directory, image) = try Self.prepare(scenario)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CLI.executable)
            process.arguments = scenario.argv(image: image, directory: directory.path)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            // Drawn in [low, high], first 30%...130% of an uninterrupted run (the write is at its end,
            // after start-up and the read); the window then closes in on the write: a kill before the
            // write raises `low`, a process that had already exited lowers `high`, so under load (the
            // write moves within the run) kills still find it. Each attempt widens the window by 5%.
            let delay = Double.random(in: low...max(high, low + 0.000_5), using: &generator)
            try process.run()
            usleep(UInt32(delay * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let killed = process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL
            let marked = try Hostile.read(image) != old
            let after = try Self.recoveredIfMarked(image, killedAt: "a random delay") {}
            let isOld = Self.same(after, old, inPlace: scenario.inPlace)
            let isNew = Self.same(after, new, inPlace: scenario.inPlace)
            #expect(isOld || isNew, "seed \(seed), attempt \(attempts), killed after \(delay) s: neither old nor new")
            #expect(throws: Never.self, "seed \(seed), attempt \(attempts)") { try SaveImage.open(image, recovery: .rollBack) }
            low *= 0.95
            high *= 1.05
            if !killed {
                exited += 1
                high = min(high, delay)
                continue
            }
            if !leftoverTemporaries(beside: image).isEmpty || marked { inside += 1 } else { low = max(low, delay) }
        }
        print("killedAfterRandomDelays(\(scenario.name)): seed \(seed): \(attempts) attempts, \(inside) kills inside the write, "
              + "\(exited) too late (the process had exited; uninterrupted run \(Int(duration * 1000)) ms)")
        #expect(inside >= wantedInside,
                "seed \(seed): only \(inside) of \(attempts) kills landed inside the write (rerun with SAVEIMG_CRASH_SEED=\(seed))")
    }

    static func record(scenario: String, points: Int, killed: Int, old: Int, new: Int) {
        print("crash-safety: \(scenario): \(points) kill points, \(killed) killed, old image \(old)×, new image \(new)×")
    }
}

/// ENOSPC: a full small tmpfs during a grow and a convert.
@Suite(.serialized) struct HostileNoSpaceTests {
    /// Mounts a 2 MiB tmpfs, copies `fixture` in and fills it to leave `free` bytes.
    static func fullFileSystem(fixture: String, free: Int) throws -> (TemporaryDirectory, String) {
        let directory = try TemporaryDirectory()
        let mount = try Hostile.command(["/bin/mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", directory.path])
        try #require(mount.status == 0, "mount: \(mount.stderr)")
        let image = try directory.write("vm.sav", try Fixtures.bytes(fixture))
        // Fill it up, then free `free` bytes.
        let filler = directory.path + "/filler"
        _ = try Hostile.command(["/bin/dd", "if=/dev/zero", "of=" + filler, "bs=4096"])
        let shrink = try Hostile.command(["/usr/bin/truncate", "-s", "-\(free)", filler])
        try #require(shrink.status == 0, "\(shrink.stderr)")
        return (directory, image)
    }

    static func unmount(_ directory: TemporaryDirectory) { _ = try? Hostile.command(["/bin/umount", directory.path]) }

    @Test(.enabled(if: HostileTools.canMount, "needs root and permission to mount a tmpfs"))
    func growOnAFullFileSystem() throws {
        let (directory, image) = try Self.fullFileSystem(fixture: "westmere-raw.sav", free: 64 * 1024)
        defer { Self.unmount(directory) }
        let inputs = try TemporaryDirectory()
        let xml = try inputs.write("big.xml", try HostileCrashTests.grownDomainXML())
        let before = try FileSnapshot(image)
        let run = try Hostile.saveimg(["define", image, xml])
        #expect(run.status == 2)
        #expect(run.stderr.contains("No space left on device"), "\(run.stderr)")
        #expect(run.stderr.contains(image) || run.stderr.contains("vm.sav"))
        #expect(try FileSnapshot(image) == before)
        #expect(leftoverTemporaries(beside: image).isEmpty)
    }

    @Test(.enabled(if: HostileTools.canMount, "needs root and permission to mount a tmpfs"))
    func convertOnAFullFileSystem() throws {
        let (directory, image) = try Self.fullFileSystem(fixture: "qemu64-gzip.sav", free: 64 * 1024)
        defer { Self.unmount(directory) }
        let before = try FileSnapshot(image)
        let run = try Hostile.saveimg(["convert", image, image, "--format", "raw"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("No space left on device"), "\(run.stderr)")
        #expect(try FileSnapshot(image) == before)
        #expect(leftoverTemporaries(beside: image).isEmpty)
        let other = directory.path + "/out.sav"
        let toOther = try Hostile.saveimg(["convert", image, other, "--format", "raw"])
        #expect(toOther.status == 2)
        #expect(!FileManager.default.fileExists(atPath: other))
        #expect(leftoverTemporaries(beside: other).isEmpty)
    }
}

/// A small seeded generator (SplitMix64), so a random test can be rerun exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
