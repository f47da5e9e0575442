/// libvirt's guest ABI stability check (`virDomainDefCheckABIStabilityFlags`
/// with `VIR_DOMAIN_DEF_ABI_CHECK_SKIP_VOLATILE`, as used by
/// `virsh save-image-define` and `virsh restore --xml`), for the parts of a
/// domain saveimg models: virt type, identity, memory, vCPUs, OS type,
/// arch, machine, CPU (`virCPUDefIsEqual`) and the device counts.
///
/// libvirt stops at the first difference; ``firstMismatch`` does the same and
/// returns libvirt's message for it. ``mismatches`` lists every difference
/// found, in libvirt's order, for reports.
///
/// Limits: libvirt compares the definitions after its post-parse defaults
/// (implicit controllers, inputs and a console's serial port) are added;
/// saveimg compares the elements as written, so a replacement XML that omits
/// an implicit device may be reported here although libvirt adds it back.
public struct DomainABICheck: Sendable {
    /// One difference between the source (image) and target (replacement) domain.
    public struct Mismatch: Hashable, Sendable, Codable {
        /// Stable code, e.g. `abi_memory`, `abi_cpu_model`, `abi_device_count`.
        public var code: String
        /// What libvirt reports, e.g. `Target domain max memory 65536 does not match source 32768`.
        public var libvirtMessage: String
    }

    /// The domain in the image (libvirt's `src`).
    public var source: DomainSummary
    /// The replacement domain (libvirt's `dst`).
    public var target: DomainSummary

    public init(source: DomainSummary, target: DomainSummary) {
        self.source = source
        self.target = target
    }

    /// The difference libvirt reports (its first), or nil when the ABI is stable.
    public var firstMismatch: Mismatch? { mismatches.first }

    /// Every difference, in the order libvirt checks them.
    public var mismatches: [Mismatch] {
        var found: [Mismatch] = []
        found += identityMismatches()
        found += memoryAndVCPUMismatches()
        found += platformMismatches()
        if let cpu = Self.cpuMismatch(source: source.cpu, target: target.cpu) { found.append(cpu) }
        found += deviceMismatches()
        return found
    }

    func identityMismatches() -> [Mismatch] {
        var found: [Mismatch] = []
        if source.type != target.type {
            found.append(Mismatch(code: "abi_virt_type", libvirtMessage:
                "Target domain virt type \(target.type ?? "(null)") does not match source \(source.type ?? "(null)")"))
        }
        if let sourceUUID = source.uuid, let targetUUID = target.uuid, sourceUUID.lowercased() != targetUUID.lowercased() {
            found.append(Mismatch(code: "abi_uuid", libvirtMessage:
                "Target domain uuid \(targetUUID) does not match source \(sourceUUID)"))
        }
        if source.name != target.name {
            found.append(Mismatch(code: "abi_name", libvirtMessage:
                "Target domain name '\(target.name ?? "")' does not match source '\(source.name ?? "")'"))
        }
        return found
    }

    func memoryAndVCPUMismatches() -> [Mismatch] {
        var found: [Mismatch] = []
        if source.memoryKiB != target.memoryKiB {
            found.append(Mismatch(code: "abi_memory", libvirtMessage:
                "Target domain max memory \(target.memoryKiB ?? 0) does not match source \(source.memoryKiB ?? 0)"))
        }
        let sourceVCPUs = source.maximumVCPUs, targetVCPUs = target.maximumVCPUs
        if sourceVCPUs != targetVCPUs {
            found.append(Mismatch(code: "abi_vcpus", libvirtMessage:
                "Target domain vCPU max \(targetVCPUs) does not match source \(sourceVCPUs)"))
        }
        return found
    }

    func platformMismatches() -> [Mismatch] {
        var found: [Mismatch] = []
        let sourceOS = source.element.descendant("os", "type")?.text
        let targetOS = target.element.descendant("os", "type")?.text
        if sourceOS != targetOS {
            found.append(Mismatch(code: "abi_os_type", libvirtMessage:
                "Target domain OS type \(targetOS ?? "(null)") does not match source \(sourceOS ?? "(null)")"))
        }
        if source.arch != target.arch {
            found.append(Mismatch(code: "abi_arch", libvirtMessage:
                "Target domain architecture \(target.arch ?? "none") does not match source \(source.arch ?? "none")"))
        }
        if source.machine != target.machine {
            found.append(Mismatch(code: "abi_machine", libvirtMessage:
                "Target domain machine type \(target.machine ?? "(null)") does not match source \(source.machine ?? "(null)")"))
        }
        return found
    }

    /// `virCPUDefIsEqual(src, dst, true)`: presence, mode, model, vendor,
    /// topology, then feature count and names in order, then policies.
    public static func cpuMismatch(source: CPUDefinition?, target: CPUDefinition?) -> Mismatch? {
        guard let source, let target else {
            return (source == nil) == (target == nil)
                ? nil : Mismatch(code: "abi_cpu", libvirtMessage: "Target CPU does not match source")
        }
        func check(_ code: String, _ what: String, _ a: String?, _ b: String?) -> Mismatch? {
            a == b ? nil : Mismatch(code: code, libvirtMessage:
                "Target CPU \(what) \(b ?? "(null)") does not match source \(a ?? "(null)")")
        }
        let topology: (CPUDefinition) -> [String?] = { cpu in
            ["sockets", "cores", "threads"].map { cpu.element.first("topology")?[attribute: $0] }
        }
        let candidates: [Mismatch?] = [
            check("abi_cpu_mode", "mode", source.mode ?? "custom", target.mode ?? "custom"),
            check("abi_cpu_model", "model", source.model, target.model),
            check("abi_cpu_vendor", "vendor", source.vendor, target.vendor),
            check("abi_cpu_topology", "sockets", topology(source)[0] ?? "0", topology(target)[0] ?? "0"),
            check("abi_cpu_topology", "cores", topology(source)[1] ?? "0", topology(target)[1] ?? "0"),
            check("abi_cpu_topology", "threads", topology(source)[2] ?? "0", topology(target)[2] ?? "0"),
            check("abi_cpu_features", "feature count", "\(source.features.count)", "\(target.features.count)"),
        ]
        if let first = candidates.compactMap({ $0 }).first { return first }
        for (a, b) in zip(source.features, target.features) {
            if a.name != b.name { return check("abi_cpu_features", "feature", a.name, b.name) }
            if a.policy != b.policy {
                return Mismatch(code: "abi_cpu_features", libvirtMessage:
                    "Target CPU feature policy \(b.policy) does not match source \(a.policy)")
            }
        }
        return nil
    }

    /// Device lists libvirt compares by count, in its order, with its wording.
    static let countedDevices: [(element: String, label: String)] = [
        ("disk", "disk count"), ("controller", "controller count"), ("filesystem", "filesystem count"),
        ("interface", "net card count"), ("input", "input device count"), ("sound", "sound card count"),
        ("video", "video card count"), ("hostdev", "host device count"), ("smartcard", "smartcard count"),
        ("serial", "serial port count"), ("parallel", "parallel port count"), ("channel", "channel count"),
        ("console", "console count"), ("hub", "hub device count"), ("redirdev", "redirected devices count"),
        ("watchdog", "watchdog count"), ("memballoon", "memory balloon count"), ("rng", "RNG device count"),
        ("panic", "panic device count"), ("shmem", "shared memory device count"), ("memory", "memory device count"),
        ("iommu", "IOMMU device count"), ("vsock", "vsock device count"),
    ]

    func deviceMismatches() -> [Mismatch] {
        let sourceDevices = source.element.first("devices")
        let targetDevices = target.element.first("devices")
        var found: [Mismatch] = []
        for (element, label) in Self.countedDevices {
            let sourceCount = sourceDevices?.all(element).count ?? 0
            let targetCount = targetDevices?.all(element).count ?? 0
            if sourceCount != targetCount {
                found.append(Mismatch(code: "abi_device_count", libvirtMessage:
                    "Target domain \(label) \(targetCount) does not match source \(sourceCount)"))
            }
        }
        return found
    }
}

extension DomainSummary {
    /// The maximum vCPU count libvirt compares: `<vcpu>`, 1 when absent.
    public var maximumVCPUs: UInt32 { vcpus ?? 1 }
}
