/// A ``TargetCapture`` parsed once for many images: the target host each
/// guest meets, by virt type, arch and machine family (a scan of 1,000
/// images parses the capture's XML once, not per image).
public struct CapturedTarget: Hashable, Sendable {
    /// The capture it was read from.
    public var capture: TargetCapture
    /// `type/arch/family` -> capabilities + that domcapabilities + CPU flags.
    var hosts: [String: TargetHost] = [:]
    /// capabilities + CPU flags (or QEMU's machine list), for guests no domcapabilities describes.
    var fallback: TargetHost?
    /// This machine's QEMU, asked for a machine type's `-dump-vmstate` when
    /// the capture has none (the local-host target); nil for a capture file.
    public var vmstateDumper: VMStateDumper?

    public init(_ capture: TargetCapture) throws(SaveImageError) {
        self.capture = capture
        fallback = try capture.host(domainType: "none", arch: "none", machine: nil)
        for entry in capture.domainCapabilities {
            let key = "\(entry.virtType)/\(entry.arch)/\(entry.machine)"
            hosts[key] = try capture.host(domainType: entry.virtType, arch: entry.arch, machine: entry.machine)
        }
    }

    /// The host a guest of `domainType` (`qemu`, `kvm`), `arch` and `machine` meets.
    public func host(domainType: String?, arch: String?, machine: String?) -> TargetHost? {
        let type = domainType ?? "qemu", archName = arch ?? "x86_64"
        let family = machine.map(TargetCapture.machineFamily) ?? "pc"
        if let exact = hosts["\(type)/\(archName)/\(family)"] { return exact }
        if let sameType = hosts.first(where: { $0.key.hasPrefix("\(type)/\(archName)/") })?.value { return sameType }
        return fallback
    }

    /// The profile for the captured libvirt and QEMU (nil when the capture has no libvirt version).
    public var profile: ReaderProfile? {
        capture.libvirt.map { ReaderProfile(version: $0, qemu: capture.qemu) }
    }
}

extension CapturedTarget {
    /// Measured QEMU additions per CPU model (`--model-additions`), for every guest's host.
    public mutating func setModelAdditions(_ table: [String: Set<String>]) {
        for key in hosts.keys { hosts[key]?.modelAdditions = table }
        fallback?.modelAdditions = table
    }
}
