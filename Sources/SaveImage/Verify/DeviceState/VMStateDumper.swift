import FoundationEssentials
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Asks a QEMU binary for its vmstate descriptions of one machine type
/// (`qemu-system-x86_64 -machine TYPE -display none -nodefaults
/// -dump-vmstate FILE`), once per machine type: the local-host target asks on
/// demand instead of dumping every machine type up front (0.1-0.3 s and
/// 0.8-0.9 MB of JSON per machine type on the labs), and
/// `saveimg target capture` uses it for every machine type it records.
public final class VMStateDumper: Sendable, Hashable {
    /// The command before `-machine`: an optional runner prefix (a lab's
    /// `setup-12.sh run`), then the QEMU binary.
    public let command: [String]
    /// The QEMU version the target runs (libvirt's `Running hypervisor`):
    /// a binary of another version is not asked (its descriptions would not
    /// be the target's). nil: not compared.
    public let expectedVersion: String?
    /// Dumps already made (nil: the binary did not give one for that machine).
    private let cache = Mutex<[String: TargetVMStateDump?]>([:])
    /// Whether the binary's `--version` matched ``expectedVersion`` (asked once).
    private let matches = Mutex<Bool?>(nil)

    /// A dumper for `binary`, run through `runner` (empty: run here). The
    /// dump file is made in /tmp, which the lab chroots share.
    public init(binary: String, runner: [String] = [], expectedVersion: String? = nil) {
        command = runner + [binary]  // bounded: array concatenation
        self.expectedVersion = expectedVersion
    }

    /// Whether the binary is the QEMU the target runs (`--version` against ``expectedVersion``).
    public var isTargetQEMU: Bool {
        guard let expectedVersion else { return true }
        if let known = matches.withLock({ $0 }) { return known }
        let output = CommandOutput.run(command + ["--version"]) ?? ""  // bounded: array concatenation
        let found = output.split(separator: "\n").first { $0.hasPrefix("QEMU emulator version ") }
            .map { $0.dropFirst("QEMU emulator version ".count).prefix { $0.isNumber || $0 == "." } }
        let same = found.map { String($0) == expectedVersion } ?? false
        matches.withLock { $0 = same }
        return same
    }

    /// The dump for `machine`, asked once; nil when QEMU does not answer or
    /// is not the target's QEMU (``expectedVersion``).
    public func dump(machine: String) -> TargetVMStateDump? {
        guard isTargetQEMU else { return nil }
        if let known = cache.withLock({ $0[machine] }) { return known }
        let dump = Self.run(command, machine: machine)
        cache.withLock { $0[machine] = .some(dump) }
        return dump
    }

    /// Runs one dump into a fresh 0600 file under /tmp and parses it.
    static func run(_ command: [String], machine: String) -> TargetVMStateDump? {
        var template = Array("/tmp/saveimg-vmstate-XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { return nil }
        close(descriptor)
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let arguments = command + ["-machine", machine, "-display", "none", "-nodefaults", "-dump-vmstate", path]  // bounded: array concatenation
        guard CommandOutput.run(arguments) != nil,
              let data = FileManager.default.contents(atPath: path), !data.isEmpty
        else { return nil }
        return try? TargetVMStateDump(json: [UInt8](data), path: path)
    }

    public static func == (a: VMStateDumper, b: VMStateDumper) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
