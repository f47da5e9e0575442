import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// This machine as a target: what `verify`, `scan`, `inspect` and `retarget`
/// judge against when no target option is given.
///
/// In order: the running libvirt through its C library (``LibvirtConnection``:
/// one connection to the default URI, versions and capabilities at once,
/// domcapabilities only for the kinds of guest the images are, when they are
/// met); without libvirt.so.0, the same questions through `virsh`; with no
/// daemon answering, the installed QEMU binary (`--version`, `-machine help`).
/// `SAVEIMG_LOCAL_TARGET=off` asks nothing; `SAVEIMG_LOCAL_TARGET=virsh` asks
/// through the `virsh` on `PATH` even where libvirt.so.0 is present (the
/// tests' stand-ins play the machine that way).
public enum LocalTarget {
    /// How this machine is asked (`SAVEIMG_LOCAL_TARGET`).
    public enum Mode: Sendable, Equatable {
        /// Not at all (`off`).
        case off
        /// libvirt's C library, else virsh, else the QEMU binary (the default).
        case library
        /// virsh, else the QEMU binary (`virsh`).
        case virsh
    }

    /// The command prefix that runs a program where this machine's libvirt
    /// runs (`SAVEIMG_LOCAL_RUN`, split at spaces; empty: here): for a libvirt
    /// in a container or chroot, whose QEMU and firmware files are not this
    /// file system's (as `target capture --run`).
    public static var runner: [String] {
        (ProcessInfo.processInfo.environment["SAVEIMG_LOCAL_RUN"] ?? "").split(separator: " ").map(String.init)
    }

    /// The mode `SAVEIMG_LOCAL_TARGET` selects.
    public static var mode: Mode {
        switch ProcessInfo.processInfo.environment["SAVEIMG_LOCAL_TARGET"] {
        case "off": .off
        case "virsh": .virsh
        default: .library
        }
    }

    /// This machine's running libvirt (else its QEMU binary) as a target, and
    /// a sentence saying which; nil when nothing answers or the mode is `off`.
    public static func lookUp(mode: Mode = LocalTarget.mode) -> (CapturedTarget, String)? {
        if mode == .off { return nil }
        if mode == .library, LibvirtConnection.loadError == nil {
            if let found = throughLibrary() { return found }
        } else if let found = throughVirsh(["virsh"]) {
            return found
        }
        if let capture = TargetCapture.captureQEMU(), var target = try? CapturedTarget(capture) {
            // The vmstate descriptions are asked of this QEMU per machine type, on demand.
            target.vmstateDumper = VMStateDumper(binary: "qemu-system-x86_64")
            return (target, "this machine's QEMU binary (no libvirt daemon answered: \(capture.source), QEMU \(capture.qemuVersion ?? "?"))")
        }
        return nil
    }

    /// One connection through libvirt.so.0; domcapabilities asked on demand on it.
    static func throughLibrary() -> (CapturedTarget, String)? {
        guard let connection = LibvirtConnection(), let versions = connection.versions(),
              let capabilities = connection.capabilities() else { return nil }
        let capture = TargetCapture(source: connection.uri, hostname: TargetCapture.hostname(),
                                    libvirtVersion: versions.libvirt.description, qemuVersion: versions.hypervisor.description,
                                    capabilities: capabilities, cpuFlags: TargetCapture.cpuFlags())
        let onDemand = DomainCapabilitiesOnDemand { type, arch, machine in
            connection.domainCapabilities(virtType: type, arch: arch, machine: machine)
        }
        guard var target = try? CapturedTarget(capture, domainCapabilities: onDemand) else { return nil }
        target.vmstateDumper = dumper(for: capture)
        return (target, "this machine's running libvirt (\(connection.uri): libvirt \(versions.libvirt), QEMU \(versions.hypervisor))")
    }

    /// The QEMU libvirt runs, asked for its vmstate descriptions per machine
    /// type on demand, only when its version is the one libvirt reports
    /// (another binary's descriptions are not the target's).
    static func dumper(for capture: TargetCapture) -> VMStateDumper {
        VMStateDumper(binary: TargetCapture.emulator(in: capture.capabilities ?? "", arch: "x86_64")?.0 ?? "qemu-system-x86_64",
                      runner: runner, expectedVersion: capture.qemuVersion)
    }

    /// `virsh version` and `capabilities` once; `virsh domcapabilities` on demand.
    static func throughVirsh(_ virsh: [String]) -> (CapturedTarget, String)? {
        guard let capture = TargetCapture.capture(virsh: virsh, domainCapabilities: false) else { return nil }
        let onDemand = DomainCapabilitiesOnDemand { type, arch, machine in
            CommandOutput.run(virsh + ["domcapabilities", "--virttype", type, "--arch", arch, "--machine", machine])
        }
        guard var target = try? CapturedTarget(capture, domainCapabilities: onDemand) else { return nil }
        target.vmstateDumper = dumper(for: capture)
        return (target, "this machine's running libvirt (virsh: libvirt \(capture.libvirtVersion ?? "?"), QEMU \(capture.qemuVersion ?? "?"))")
    }

    /// The libvirt installed on this machine: the file libvirt.so.0 links to
    /// (`libvirt.so.0.9000.0` = 9.0.0: minor = major * 1000 + minor; one
    /// readlink, not a listing of the library directory), else `virsh --version`.
    public static func installedLibvirt() -> (LibvirtVersion, String)? {
        for directory in ["/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib", "/usr/lib/aarch64-linux-gnu"] {
            var target = [CChar](repeating: 0, count: 256)
            let length = readlink(directory + "/libvirt.so.0", &target, target.count - 1)
            guard length > 0 else { continue }
            let name = String(decoding: target.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .split(separator: "/").last.map(String.init) ?? ""
            guard name.hasPrefix("libvirt.so.0.") else { continue }
            let parts = name.dropFirst("libvirt.so.0.".count).split(separator: ".")
            guard parts.count == 2, let encoded = Int(parts[0]), let micro = Int(parts[1]) else { continue }
            return (LibvirtVersion(encoded / 1000, encoded % 1000, micro), "the libvirt installed here (\(directory)/\(name))")
        }
        guard let output = CommandOutput.run(["virsh", "--version"]),
              let version = LibvirtVersion(String(output.filter { !$0.isWhitespace })) else { return nil }
        return (version, "the libvirt installed here (`virsh --version`)")
    }

    /// This machine's CPU from /proc/cpuinfo (it binds KVM guests only), read up to 1 MiB.
    public static func cpuinfoHost() -> TargetHost? {
        guard let bytes = procFile("/proc/cpuinfo") else { return nil }
        return TargetHost(cpuinfo: String(decoding: bytes, as: UTF8.self), source: "this machine (/proc/cpuinfo)")
    }

    /// A /proc file's bytes, read as a stream (they report size 0) up to `limit` bytes; nil when it cannot be opened.
    static func procFile(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count < limit {
            let count = fread(&buffer, 1, min(buffer.count, limit - bytes.count), file)  // bounded: bytes.count < limit
            if count <= 0 { break }
            bytes += buffer.prefix(count)  // bounded: at most limit bytes in all
        }
        return bytes
    }
}
