/// What a target host offers a guest, as libvirt sees it, read from the
/// descriptions an operator has: `virsh domcapabilities` (the CPU libvirt
/// compares guest CPUs with for that virt type: host-model, usable custom
/// models; the default machine and emulator), `virsh capabilities` (every
/// machine type each emulator knows; the physical host CPU) and this machine's
/// `/proc/cpuinfo`. Any combination may be given; ``merging(_:)`` joins them.
public struct TargetHost: Hashable, Sendable {
    /// Where the facts come from, for reports (`a.xml + b.xml`).
    public var source: String
    /// domcapabilities' host-model CPU and its `<domain>` (virt type: `qemu` = TCG, `kvm`).
    public var hostModel: CPUDefinition?
    public var hostModelVirtType: String?
    /// Where the host-model came from (the domcapabilities file).
    public var hostModelSource: String?
    /// The physical host CPU (capabilities `<host><cpu>`), binding KVM guests only.
    public var physicalCPU: CPUDefinition?
    /// The physical CPU as feature names (`/proc/cpuinfo` flags), when that is the source.
    public var physicalFeatures: Set<String>?
    public var physicalSource: String?
    /// Machine types the emulator knows, by guest arch (capabilities `<guest>`), aliases included.
    public var machines: [String: Set<String>] = [:]
    /// Whether ``machines`` is the emulator's whole list (`virsh capabilities`,
    /// `qemu-system-* -machine help`), so a machine missing from it is unknown.
    public var completeMachineList = false
    /// Machine types QEMU marks deprecated (capabilities `deprecated='yes'`), by arch.
    public var deprecatedMachines: [String: Set<String>] = [:]
    /// Alias -> canonical machine (`pc` -> `pc-i440fx-10.0`).
    public var machineAliases: [String: String] = [:]
    /// Emulator path by arch (capabilities) or domcapabilities' `<path>`.
    public var emulators: [String: String] = [:]
    /// domcapabilities' `<os><loader><value>` paths: the firmware the target
    /// announces (nil: no domcapabilities read).
    public var loaderValues: [String]?
    /// domcapabilities' `<machine>` (the one machine it describes).
    public var domainCapabilitiesMachine: String?
    /// CPU modes domcapabilities lists as supported, and custom models with their `usable`.
    public var supportedCPUModes: Set<String> = []
    public var customModels: [String: Bool] = [:]
    /// Features QEMU turns on by itself for a model on this host (measured:
    /// what libvirt records in the cookie beyond the model), by model name.
    public var modelAdditions: [String: Set<String>]

    public init(source: String, features: Set<String>, modelAdditions: [String: Set<String>] = [:]) {
        self.source = source
        self.physicalFeatures = features
        self.physicalSource = source
        self.modelAdditions = modelAdditions
    }

    /// Reads `virsh domcapabilities` XML.
    public init(domainCapabilities bytes: [UInt8], source: String) throws(SaveImageError) {
        let root = try XMLParser.parse(bytes, name: "domcapabilities", path: source)
        guard root.name == "domainCapabilities" else {
            throw SaveImageError(.unexpectedXML, path: source, field: "domcapabilities",
                                 expected: "<domainCapabilities>", found: "<\(root.name)>")
        }
        self.source = source
        modelAdditions = [:]
        hostModelVirtType = root.first("domain")?.text ?? "qemu"
        hostModelSource = source
        domainCapabilitiesMachine = root.first("machine")?.text
        if let path = root.first("path")?.text, let arch = root.first("arch")?.text { emulators[arch] = path }
        for mode in root.first("cpu")?.all("mode") ?? [] {
            guard let name = mode[attribute: "name"], mode[attribute: "supported"] != "no" else { continue }
            supportedCPUModes.insert(name)
            if name == "host-model" { hostModel = CPUDefinition(element: mode) }
            if name == "custom" {
                for model in mode.all("model") { customModels[model.text] = model[attribute: "usable"] != "no" }
            }
        }
        if let machine = domainCapabilitiesMachine, let arch = root.first("arch")?.text {
            machines[arch, default: []].insert(machine)
        }
        loaderValues = root.descendant("os", "loader")?.all("value").map(\.text) ?? []
    }

    /// Reads `virsh capabilities` XML: machines per guest arch and the physical host CPU.
    public init(capabilities bytes: [UInt8], source: String) throws(SaveImageError) {
        let root = try XMLParser.parse(bytes, name: "capabilities", path: source)
        guard root.name == "capabilities", let cpu = root.descendant("host", "cpu") else {
            throw SaveImageError(.unexpectedXML, path: source, field: "capabilities",
                                 expected: "<capabilities> with <host><cpu>", found: "<\(root.name)> without one")
        }
        self.source = source
        modelAdditions = [:]
        physicalCPU = CPUDefinition(element: cpu)
        physicalSource = source
        for guest in root.all("guest") {
            guard let arch = guest.first("arch"), let name = arch[attribute: "name"] else { continue }
            if let emulator = arch.first("emulator")?.text { emulators[name] = emulator }
            var set = machines[name] ?? []
            let lists = [arch] + arch.all("domain")
            for list in lists {
                for machine in list.all("machine") {
                    set.insert(machine.text)
                    if machine[attribute: "deprecated"] == "yes" { deprecatedMachines[name, default: []].insert(machine.text) }
                    if let canonical = machine[attribute: "canonical"] {
                        set.insert(canonical)
                        machineAliases[machine.text] = canonical
                    }
                }
            }
            machines[name] = set
        }
        completeMachineList = true
    }

    /// This machine's CPU from `/proc/cpuinfo` `flags`, mapped to libvirt's names.
    public init(cpuinfo text: String, source: String = "/proc/cpuinfo") {
        let flagsLine = text.split(separator: "\n").first { $0.hasPrefix("flags") }
        let flags = flagsLine?.split(separator: ":", maxSplits: 1).last?.split(separator: " ").map(String.init) ?? []
        self.init(source: source, features: Set(flags.map(Self.libvirtName(forLinuxFlag:))))
    }

    /// Both descriptions as one: `other`'s facts fill what this one lacks.
    public func merging(_ other: TargetHost) -> TargetHost {
        var merged = self
        merged.source = source + " + " + other.source
        if merged.hostModel == nil {
            merged.hostModel = other.hostModel
            merged.hostModelVirtType = other.hostModelVirtType
            merged.hostModelSource = other.hostModelSource
        }
        if merged.physicalCPU == nil, merged.physicalFeatures == nil {
            merged.physicalCPU = other.physicalCPU
            merged.physicalFeatures = other.physicalFeatures
            merged.physicalSource = other.physicalSource
        }
        for (arch, set) in other.machines { merged.machines[arch, default: []].formUnion(set) }
        for (arch, set) in other.deprecatedMachines { merged.deprecatedMachines[arch, default: []].formUnion(set) }
        merged.completeMachineList = completeMachineList || other.completeMachineList
        merged.machineAliases.merge(other.machineAliases) { a, _ in a }
        merged.emulators.merge(other.emulators) { a, _ in a }
        merged.domainCapabilitiesMachine = merged.domainCapabilitiesMachine ?? other.domainCapabilitiesMachine
        merged.loaderValues = merged.loaderValues ?? other.loaderValues
        merged.supportedCPUModes.formUnion(other.supportedCPUModes)
        merged.customModels.merge(other.customModels) { a, _ in a }
        merged.modelAdditions.merge(other.modelAdditions) { a, _ in a }
        return merged
    }

    /// Whether the machine list is complete (from `virsh capabilities`), so a
    /// machine missing from it is unknown to the emulator.
    public var knowsAllMachines: Bool { completeMachineList && !machines.isEmpty }

    /// The CPU libvirt compares a guest of `domainType` with, as features in
    /// the map of `release`, and where it comes from; nil when the descriptions
    /// given say nothing that binds such a guest. TCG guests (`qemu`) are bound
    /// only by the TCG host-model of domcapabilities, never by the physical CPU.
    public func comparisonCPU(forDomainType domainType: String?, release: LibvirtVersion)
        -> (features: Set<String>, source: String)? {
        let type = domainType ?? "qemu"
        if let hostModel, (hostModelVirtType ?? "qemu") == type {
            return (Self.features(of: hostModel, at: release), "\(hostModelSource ?? source) (host-model for \(type))")
        }
        guard type == "kvm" else { return nil }
        if let physicalCPU { return (Self.features(of: physicalCPU, at: release), physicalSource ?? source) }
        if let physicalFeatures { return (physicalFeatures, physicalSource ?? source) }
        return nil
    }

    /// The features a CPU definition amounts to in libvirt `release`'s map: its
    /// model's, plus required, minus disabled. A model's `vmx-*` features (nested
    /// VMX controls, in cpu_map from 9.x) count only where listed explicitly:
    /// libvirt drops them on hosts without vmx.
    public static func features(of cpu: CPUDefinition, at release: LibvirtVersion? = nil) -> Set<String> {
        var set = cpu.model.flatMap { CPUMap.features(ofModel: $0, at: release) } ?? []
        set = set.filter { !$0.hasPrefix("vmx-") }
        for feature in cpu.features {
            if feature.policy.removesFeature { set.remove(feature.name) } else { set.insert(feature.name) }
        }
        return set
    }

    /// Reads the lab's measured model additions (`model: feat feat -disabled`
    /// lines, from `scripts/lab/measure-model-additions.py`).
    public static func parseModelAdditions(_ text: String) -> [String: Set<String>] {
        var table: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[1].contains("!") else { continue }
            let names = parts[1].split(separator: " ").filter { !$0.hasPrefix("-") }.map(String.init)
            table[String(parts[0]).trimmingWhitespace()] = Set(names)
        }
        return table
    }

    /// Linux `/proc/cpuinfo` flag -> libvirt feature name where they differ.
    static func libvirtName(forLinuxFlag flag: String) -> String {
        let renamed: [String: String] = [
            "pclmulqdq": "pclmuldq", "sse4_1": "sse4.1", "sse4_2": "sse4.2", "tsc_deadline_timer": "tsc-deadline",
            "avx512_vnni": "avx512-vnni", "avx512_bf16": "avx512-bf16", "avx512_vbmi2": "avx512vbmi2",
            "avx512_bitalg": "avx512bitalg", "avx512_vpopcntdq": "avx512-vpopcntdq", "avx512_fp16": "avx512-fp16",
            "sha_ni": "sha-ni", "cr8_legacy": "cr8legacy", "nrip_save": "nrip-save",
            "arch_capabilities": "arch-capabilities", "spec_ctrl": "spec-ctrl", "amd_ssbd": "amd-ssbd",
            "virt_ssbd": "virt-ssbd", "md_clear": "md-clear", "flush_l1d": "flush-l1d", "svm_lock": "svm-lock",
            "pause_filter": "pause-filter", "v_vmsave_vmload": "v-vmsave-vmload", "tsc_scale": "tsc-scale",
            "vmcb_clean": "vmcb-clean",
        ]
        return renamed[flag] ?? flag.replacingUnderscoresWithDashesIfKnown()
    }
}

extension String {
    /// Linux spells many flags with `_` where libvirt uses `-`; prefer the
    /// spelling libvirt's map knows.
    func replacingUnderscoresWithDashesIfKnown() -> String {
        if CPUMap.release(knowingFeature: self) != nil { return self }
        let dashed = String(map { $0 == "_" ? "-" : $0 })
        return CPUMap.release(knowingFeature: dashed) != nil ? dashed : self
    }
}
