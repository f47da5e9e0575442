import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

extension TargetCapture {
    /// Captures the host `virsh` talks to: `virsh version`, `virsh
    /// capabilities`, then (with `domainCapabilities`) `virsh domcapabilities`
    /// for each virt type the capabilities list for `arch` and each machine
    /// family (`pc`, `q35`). `virsh` is the command prefix (`["virsh"]`,
    /// `["virsh", "-c", URI]`, or a lab's wrapper). Nil when virsh does not answer (no daemon).
    ///
    /// Also the firmware files beside the domcapabilities' loader paths, with
    /// their sizes, and with `vmstate`, the target QEMU's `-dump-vmstate` for
    /// every versioned `pc-i440fx-*` / `pc-q35-*` machine type the
    /// capabilities list (``CapturedVMState``). `runner` is the command prefix
    /// that runs a program on the target (empty: here; a lab's
    /// `setup-12.sh run`); the dumps go through /tmp.
    public static func capture(virsh: [String], arch: String = "x86_64", runner: [String] = [],
                               vmstate: Bool = false, domainCapabilities: Bool = true) -> TargetCapture? {
        guard let version = CommandOutput.run(virsh + ["version"]) else { return nil }
        let libvirt = Self.versionAfter("Using library: libvirt ", in: version)
        let qemu = Self.versionAfter("Running hypervisor: QEMU ", in: version)
        guard let capabilities = CommandOutput.run(virsh + ["capabilities"]) else { return nil }
        var capture = TargetCapture(source: virsh.joined(separator: " "), hostname: Self.hostname(), libvirtVersion: libvirt,
                                    qemuVersion: qemu, capabilities: capabilities, cpuFlags: Self.cpuFlags())
        guard domainCapabilities else { return capture }
        for type in Self.virtTypes(in: capabilities, arch: arch) {
            for machine in ["pc", "q35"] {
                guard let xml = CommandOutput.run(virsh + ["domcapabilities", "--virttype", type, "--arch", arch,
                                                           "--machine", machine]) else { continue }
                capture.domainCapabilities.append(DomainCapabilities(virtType: type, arch: arch, machine: machine, xml: xml))
            }
        }
        capture.firmwareFiles = Self.firmwareFiles(near: capture.loaderValues, runner: runner)
        if vmstate, let (emulator, machines) = Self.emulator(in: capabilities, arch: arch) {
            capture.vmstate = Self.vmstate(dumper: VMStateDumper(binary: emulator, runner: runner), machines: machines)
        }
        return capture
    }

    /// Dumps every versioned PC machine type of `machines` and stores them deduplicated.
    static func vmstate(dumper: VMStateDumper, machines: [String]) -> CapturedVMState? {
        var store = CapturedVMState()
        for machine in machines where machine.hasPrefix("pc-i440fx-") || machine.hasPrefix("pc-q35-") {
            guard let dump = dumper.dump(machine: machine) else { continue }
            store.add(dump, machine: machine)
        }
        return store.machines.isEmpty ? nil : store
    }

    /// The emulator and machine type names a `virsh capabilities` XML lists for `arch`.
    public static func emulator(in capabilities: String, arch: String) -> (String, [String])? {
        guard let root = try? XMLParser.parse(Array(capabilities.utf8), name: "capabilities") else { return nil }
        var emulator: String?
        var machines: [String] = []
        for guest in root.all("guest") {
            guard let element = guest.first("arch"), element[attribute: "name"] == arch else { continue }
            if emulator == nil { emulator = element.first("emulator")?.text }
            for machine in element.all("machine") where !machines.contains(machine.text) { machines.append(machine.text) }
            for domain in element.all("domain") {
                for machine in domain.all("machine") where !machines.contains(machine.text) { machines.append(machine.text) }
            }
        }
        return emulator.map { ($0, machines) }
    }

    /// Sizes of the regular files (links followed) in the directories of
    /// `loaders`, asked with one `find` on the target; nil when it fails.
    static func firmwareFiles(near loaders: [String], runner: [String]) -> [String: UInt64]? {
        var directories: [String] = []
        for loader in loaders {
            guard let slash = loader.lastIndex(of: "/"), slash > loader.startIndex else { continue }
            let directory = String(loader[..<slash])
            if !directories.contains(directory) { directories.append(directory) }
        }
        guard !directories.isEmpty,
              let listing = CommandOutput.run(runner + ["find", "-L"] + directories  // bounded: array concatenation
                                              + ["-maxdepth", "1", "-type", "f", "-printf", "%s %p\\n"])
        else { return nil }
        var files: [String: UInt64] = [:]
        for line in listing.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let size = UInt64(parts[0]) else { continue }
            files[String(parts[1])] = size
        }
        return files
    }

    /// Without a libvirt daemon: what the installed QEMU binary says
    /// (`--version`, `-machine help`). Nil when there is no such binary.
    /// With `vmstate`, also its `-dump-vmstate` for every versioned PC machine type.
    public static func captureQEMU(binary: String = "qemu-system-x86_64", arch: String = "x86_64", runner: [String] = [],
                                   vmstate: Bool = false) -> TargetCapture? {
        guard let version = CommandOutput.run(runner + [binary, "--version"]),  // bounded: array concatenation
              let help = CommandOutput.run(runner + [binary, "-machine", "help"]) else { return nil }  // bounded: array concatenation
        var names: [String] = []
        for line in help.split(separator: "\n").dropFirst() {  // "Supported machines are:"
            guard let first = line.split(separator: " ").first else { continue }
            names.append(String(first))
        }
        var capture = TargetCapture(source: "\(binary) (no libvirt daemon answered)", hostname: Self.hostname(),
                                    qemuVersion: Self.versionAfter("QEMU emulator version ", in: version),
                                    machines: [arch: names], cpuFlags: Self.cpuFlags())
        if vmstate { capture.vmstate = Self.vmstate(dumper: VMStateDumper(binary: binary, runner: runner), machines: names) }
        return capture
    }

    /// The virt types (`qemu`, `kvm`) `capabilities` lists for `arch`.
    static func virtTypes(in capabilities: String, arch: String) -> [String] {
        guard let root = try? XMLParser.parse(Array(capabilities.utf8), name: "capabilities") else { return ["qemu"] }
        var types: [String] = []
        for guest in root.all("guest") {
            guard let element = guest.first("arch"), element[attribute: "name"] == arch else { continue }
            for domain in element.all("domain") {
                if let type = domain[attribute: "type"], !types.contains(type) { types.append(type) }
            }
        }
        return types.isEmpty ? ["qemu"] : types
    }

    /// The version number after `prefix` on one of `text`'s lines.
    static func versionAfter(_ prefix: String, in text: String) -> String? {
        for line in text.split(separator: "\n") {
            let trimmed = String(line).trimmingWhitespace()
            guard trimmed.hasPrefix(prefix) else { continue }
            let rest = trimmed.dropFirst(prefix.count).prefix { $0.isNumber || $0 == "." }
            if LibvirtVersion(String(rest)) != nil { return String(rest) }
        }
        return nil
    }

    static func hostname() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// This machine's `/proc/cpuinfo` flags (the first processor's), read up to 1 MiB.
    static func cpuFlags() -> [String]? {
        guard let bytes = LocalTarget.procFile("/proc/cpuinfo") else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        return line.split(separator: ":", maxSplits: 1).last?.split(separator: " ").map(String.init)
    }
}
