extension TargetHost {
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
}
