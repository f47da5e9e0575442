extension TargetHost {
    /// This machine's CPU from `/proc/cpuinfo` `flags`, mapped to libvirt's names.
    public init(cpuinfo text: String, source: String = "/proc/cpuinfo") {
        let flagsLine = text.split(separator: "\n").first { $0.hasPrefix("flags") }
        let flags = flagsLine?.split(separator: ":", maxSplits: 1).last?.split(separator: " ").map(String.init) ?? []
        self.init(source: source, features: Set(flags.map(Self.libvirtName(forLinuxFlag:))))
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
