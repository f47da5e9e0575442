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
    public static func capture(virsh: [String], arch: String = "x86_64", domainCapabilities: Bool = true) -> TargetCapture? {
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
        return capture
    }

    /// Without a libvirt daemon: what the installed QEMU binary says
    /// (`--version`, `-machine help`). Nil when there is no such binary.
    public static func captureQEMU(binary: String = "qemu-system-x86_64", arch: String = "x86_64") -> TargetCapture? {
        guard let version = CommandOutput.run([binary, "--version"]),
              let help = CommandOutput.run([binary, "-machine", "help"]) else { return nil }
        var names: [String] = []
        for line in help.split(separator: "\n").dropFirst() {  // "Supported machines are:"
            guard let first = line.split(separator: " ").first else { continue }
            names.append(String(first))
        }
        return TargetCapture(source: "\(binary) (no libvirt daemon answered)", hostname: Self.hostname(),
                             qemuVersion: Self.versionAfter("QEMU emulator version ", in: version),
                             machines: [arch: names], cpuFlags: Self.cpuFlags())
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

/// Standard output of a command run without a shell's interpretation of its
/// arguments (each is single-quoted for `popen`), nil when it fails.
enum CommandOutput {
    static func run(_ arguments: [String]) -> String? {
        let quoted = arguments.map { argument in
            "'" + argument.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        }
        guard let stream = popen(quoted.joined(separator: " ") + " 2>/dev/null", "r") else { return nil }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while output.count < 64 << 20 {
            let count = fread(&buffer, 1, buffer.count, stream)
            if count <= 0 { break }
            output += buffer.prefix(count)  // bounded: at most 64 MiB + 64 KiB
        }
        return pclose(stream) == 0 ? String(decoding: output, as: UTF8.self) : nil
    }
}
