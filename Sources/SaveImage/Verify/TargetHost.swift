/// The CPU a target host offers a guest, as libvirt sees it: from
/// `virsh domcapabilities` (host-model: what libvirt compares guest CPUs
/// with, also under TCG), `virsh capabilities` (the physical host CPU) or
/// this machine's `/proc/cpuinfo`.
public struct TargetHost: Hashable, Sendable {
    /// Where the facts come from, for reports.
    public var source: String
    /// libvirt feature names the host provides.
    public var features: Set<String>
    /// Features QEMU turns on by itself for a model on this host (measured:
    /// what libvirt records in the cookie beyond the model), by model name.
    /// Empty when unknown.
    public var modelAdditions: [String: Set<String>]
    /// Whether the features describe what a TCG (`<domain type='qemu'>`)
    /// guest gets. True for libvirt's (dom)capabilities, which describe the
    /// hypervisor libvirt uses; false for a physical CPU (`/proc/cpuinfo`),
    /// which binds only KVM guests: TCG emulates what the CPU lacks.
    public var describesTCG = true

    public init(source: String, features: Set<String>, modelAdditions: [String: Set<String>] = [:]) {
        self.source = source
        self.features = features
        self.modelAdditions = modelAdditions
    }

    /// Reads `virsh domcapabilities` XML: the host-model CPU (model features
    /// plus `require`, minus `disable`).
    public init(domainCapabilities bytes: [UInt8], source: String) throws(SaveImageError) {
        let root = try XMLParser.parse(bytes, name: "domcapabilities", path: source)
        guard root.name == "domainCapabilities",
              let hostModel = root.first("cpu")?.all("mode").first(where: { $0[attribute: "name"] == "host-model" }),
              hostModel[attribute: "supported"] != "no"
        else {
            throw SaveImageError(.unexpectedXML, path: source, field: "domcapabilities",
                                 expected: "<domainCapabilities> with a supported host-model <cpu> mode",
                                 found: "<\(root.name)> without one")
        }
        self.init(source: source, features: Self.features(of: CPUDefinition(element: hostModel)))
    }

    /// Reads `virsh capabilities` XML: `<host><cpu>` model features plus listed features.
    public init(capabilities bytes: [UInt8], source: String) throws(SaveImageError) {
        let root = try XMLParser.parse(bytes, name: "capabilities", path: source)
        guard root.name == "capabilities", let cpu = root.descendant("host", "cpu") else {
            throw SaveImageError(.unexpectedXML, path: source, field: "capabilities",
                                 expected: "<capabilities> with <host><cpu>", found: "<\(root.name)> without one")
        }
        self.init(source: source, features: Self.features(of: CPUDefinition(element: cpu)))
    }

    /// The features a CPU definition amounts to: its model's, plus required, minus disabled.
    static func features(of cpu: CPUDefinition) -> Set<String> {
        var set = cpu.model.flatMap(CPUMap.features(ofModel:)) ?? []
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

    /// This machine's CPU from `/proc/cpuinfo` `flags`, mapped to libvirt's names.
    public init(cpuinfo text: String, source: String = "/proc/cpuinfo") {
        let flagsLine = text.split(separator: "\n").first { $0.hasPrefix("flags") }
        let flags = flagsLine?.split(separator: ":", maxSplits: 1).last?.split(separator: " ").map(String.init) ?? []
        self.init(source: source, features: Set(flags.map(Self.libvirtName(forLinuxFlag:))))
        describesTCG = false
    }

    /// Linux `/proc/cpuinfo` flag -> libvirt feature name where they differ.
    static func libvirtName(forLinuxFlag flag: String) -> String {
        let renamed: [String: String] = [
            "pclmulqdq": "pclmuldq", "sse4_1": "sse4.1", "sse4_2": "sse4.2", "lahf_lm": "lahf_lm",
            "pni": "pni", "ds_cpl": "ds_cpl", "tsc_deadline_timer": "tsc-deadline", "avx512_vnni": "avx512-vnni",
            "avx512_bf16": "avx512-bf16", "avx512_vbmi2": "avx512vbmi2", "avx512_bitalg": "avx512bitalg",
            "avx512_vpopcntdq": "avx512-vpopcntdq", "avx512vbmi": "avx512vbmi", "avx512_fp16": "avx512-fp16",
            "sha_ni": "sha-ni", "fxsr_opt": "fxsr_opt", "cr8_legacy": "cr8legacy", "nrip_save": "nrip-save",
            "tsc_adjust": "tsc_adjust", "arch_capabilities": "arch-capabilities", "spec_ctrl": "spec-ctrl",
            "ssbd": "ssbd", "amd_ssbd": "amd-ssbd", "virt_ssbd": "virt-ssbd", "md_clear": "md-clear",
            "flush_l1d": "flush-l1d", "gfni": "gfni", "vaes": "vaes", "movdiri": "movdiri", "movdir64b": "movdir64b",
            "xsaveerptr": "xsaveerptr", "rdpid": "rdpid", "la57": "la57", "umip": "umip", "pku": "pku",
            "ibrs": "ibrs", "ibpb": "ibpb", "stibp": "stibp", "svm_lock": "svm-lock", "pause_filter": "pause-filter",
            "pfthreshold": "pfthreshold", "v_vmsave_vmload": "v-vmsave-vmload", "vgif": "vgif", "npt": "npt",
            "lbrv": "lbrv", "tsc_scale": "tsc-scale", "vmcb_clean": "vmcb-clean", "flushbyasid": "flushbyasid",
            "decodeassists": "decodeassists", "avic": "avic", "topoext": "topoext", "perfctr_core": "perfctr_core",
            "perfctr_nb": "perfctr_nb", "clzero": "clzero", "wbnoinvd": "wbnoinvd", "3dnowprefetch": "3dnowprefetch",
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
