import Synchronization

/// A ``TargetCapture`` parsed once for many images: the target host each
/// guest meets, by virt type, arch and machine family (a scan of 1,000
/// images parses the capture's XML once, not per image).
///
/// A capture document holds every domcapabilities it will ever have; this
/// machine's libvirt (``LocalTarget``) is instead asked for the one a guest
/// needs when a guest needs it (``DomainCapabilitiesOnDemand``), once per
/// virt type, arch and machine family.
public struct CapturedTarget: Hashable, Sendable {
    /// The capture it was read from (for this machine: without domcapabilities, asked on demand).
    public var capture: TargetCapture
    /// `type/arch/family` -> capabilities + that domcapabilities + CPU flags.
    var hosts: [String: TargetHost] = [:]
    /// capabilities + CPU flags (or QEMU's machine list), for guests no domcapabilities describes.
    var fallback: TargetHost?
    /// This machine's QEMU, asked for a machine type's `-dump-vmstate` when
    /// the capture has none (the local-host target); nil for a capture file.
    public var vmstateDumper: VMStateDumper?
    /// This machine's libvirt, asked per guest kind; nil for a capture document.
    var onDemand: DomainCapabilitiesOnDemand?
    /// `--model-additions`, applied to every host a guest meets.
    var modelAdditions: [String: Set<String>]?

    public init(_ capture: TargetCapture) throws(SaveImageError) {
        self.capture = capture
        fallback = try capture.host(domainType: "none", arch: "none", machine: nil)
        for entry in capture.domainCapabilities {
            let key = "\(entry.virtType)/\(entry.arch)/\(entry.machine)"
            hosts[key] = try capture.host(domainType: entry.virtType, arch: entry.arch, machine: entry.machine)
        }
    }

    /// A target whose domcapabilities are asked when a guest needs them (``capture`` has none).
    public init(_ capture: TargetCapture, domainCapabilities onDemand: DomainCapabilitiesOnDemand) throws(SaveImageError) {
        self.capture = capture
        fallback = try capture.host(domainType: "none", arch: "none", machine: nil)
        self.onDemand = onDemand
    }

    /// The host a guest of `domainType` (`qemu`, `kvm`), `arch` and `machine` meets.
    public func host(domainType: String?, arch: String?, machine: String?) -> TargetHost? {
        let type = domainType ?? "qemu", archName = arch ?? "x86_64"
        let family = machine.map(TargetCapture.machineFamily) ?? "pc"
        if let onDemand {
            let host = onDemand.host(virtType: type, arch: archName, family: family, capture: capture) ?? fallback
            if let modelAdditions { return host?.withModelAdditions(modelAdditions) }
            return host
        }
        if let exact = hosts["\(type)/\(archName)/\(family)"] { return exact }
        if let sameType = hosts.first(where: { $0.key.hasPrefix("\(type)/\(archName)/") })?.value { return sameType }
        return fallback
    }

    /// Whether the target describes TCG (`qemu`) guests' CPU too (a domcapabilities for virt type `qemu`).
    public var describesTCG: Bool {
        if onDemand != nil, let capabilities = capture.capabilities {
            return TargetCapture.virtTypes(in: capabilities, arch: "x86_64").contains("qemu")
        }
        return capture.domainCapabilities.contains { $0.virtType == "qemu" }
    }

    /// The profile for the captured libvirt and QEMU (nil when the capture has no libvirt version).
    public var profile: ReaderProfile? {
        capture.libvirt.map { ReaderProfile(version: $0, qemu: capture.qemu) }
    }
}

extension CapturedTarget {
    /// Measured QEMU additions per CPU model (`--model-additions`), for every guest's host.
    public mutating func setModelAdditions(_ table: [String: Set<String>]) {
        hosts = hosts.mapValues { $0.withModelAdditions(table) }
        fallback = fallback?.withModelAdditions(table)
        modelAdditions = table
    }
}

/// `domcapabilities` asked when a guest needs it, once per virt type, arch
/// and machine family, and kept: a scan of 1,000 images of one kind asks once,
/// and a host whose guests are all KVM/q35 is never asked about TCG or pc.
public final class DomainCapabilitiesOnDemand: Hashable, Sendable {
    /// Asks for one: virt type, arch, machine; nil when the target does not answer.
    let ask: @Sendable (_ virtType: String, _ arch: String, _ machine: String) -> String?
    /// `type/arch/family` -> the host (nil: asked, no answer).
    private let answers = Mutex<[String: TargetHost?]>([:])

    public init(ask: @escaping @Sendable (_ virtType: String, _ arch: String, _ machine: String) -> String?) {
        self.ask = ask
    }

    /// The capture's capabilities plus the domcapabilities for this kind of
    /// guest (the family asked for; if the target has none for it, `pc`, then
    /// `q35`, as a capture document falls back to any family of the virt type);
    /// nil when the capabilities list no such virt type for `arch` or nothing answers.
    func host(virtType: String, arch: String, family: String, capture: TargetCapture) -> TargetHost? {
        let key = "\(virtType)/\(arch)/\(family)"
        return answers.withLock { answers -> TargetHost? in
            if let known = answers[key] { return known }
            var host: TargetHost?
            if let capabilities = capture.capabilities,
               TargetCapture.virtTypes(in: capabilities, arch: arch).contains(virtType) {
                for machine in [family] + ["pc", "q35"].filter({ $0 != family }) {
                    guard let xml = ask(virtType, arch, machine) else { continue }
                    var one = capture
                    one.domainCapabilities = [.init(virtType: virtType, arch: arch, machine: machine, xml: xml)]
                    host = try? one.host(domainType: virtType, arch: arch, machine: machine)
                    break
                }
            }
            answers.updateValue(host, forKey: key)
            return host
        }
    }

    /// `path -> size` of the firmware files beside these loader paths on this
    /// machine (`TargetCapture.firmwareFiles`), asked once per set of paths.
    func firmwareFiles(near loaders: [String]) -> [String: UInt64]? {
        let key = loaders.sorted().joined(separator: "\n")
        return files.withLock { files -> [String: UInt64]? in
            if let known = files[key] { return known }
            let found = TargetCapture.firmwareFiles(near: loaders, runner: LocalTarget.runner)
            files.updateValue(found, forKey: key)
            return found
        }
    }
    private let files = Mutex<[String: [String: UInt64]?]>([:])

    public static func == (a: DomainCapabilitiesOnDemand, b: DomainCapabilitiesOnDemand) -> Bool { a === b }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
