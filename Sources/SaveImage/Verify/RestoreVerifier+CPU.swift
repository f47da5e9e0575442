extension RestoreVerifier {
    /// The CPU the target reader restores with: the cookie's when it reads
    /// the cookie and there is one with a `<cpu>`, else the domain XML's.
    public func restoreCPU(of image: SaveImage) -> (cpu: CPUDefinition, origin: String)? {
        if profile.readsCookie, image.libvirtReadsCookie, let cpu = image.cookie?.cpu { return (cpu, "cookie") }
        let domain = replacementDomain ?? image.domain
        return domain.cpu.map { ($0, "domain XML") }
    }

    /// Unknown names for the target libvirt, then the comparison with the
    /// target host libvirt makes (before start for check='partial', after
    /// start for check='full', as measured in the lab).
    func cpuReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        guard let (cpu, origin) = restoreCPU(of: image) else { return [] }
        let mode = cpu.mode ?? "custom"
        guard mode == "custom" else {
            return [RestoreVerdict.Reason(code: "cpu_not_checked", severity: .info,
                                          message: "the \(origin) CPU has mode \(mode); libvirt derives it from the target host")]
        }
        let names = nameReasons(cpu, origin: origin)
        if names.contains(where: { $0.severity == .restoreFails }) { return names }
        return names + hostReasons(cpu, origin: origin, image: image)
    }

    /// Model and feature names the target's CPU map does not know.
    func nameReasons(_ cpu: CPUDefinition, origin: String) -> [RestoreVerdict.Reason] {
        let newest = CPUMap.newestRelease
        var reasons: [RestoreVerdict.Reason] = []
        if let model = cpu.model {
            let since = CPUMap.release(knowingModel: model)
            if let since, since > profile.version {
                reasons.append(RestoreVerdict.Reason(
                    code: "cpu_unknown_model", severity: .restoreFails,
                    message: "the \(origin) CPU model \(model) is known to libvirt only from \(since)",
                    libvirtMessage: "Unknown CPU model \(model)", hint: Self.hints["cpu_unknown_model"]))
            } else if since == nil {
                reasons.append(unknownNameReason("model", model, origin: origin, newest: newest,
                                                 libvirtMessage: "Unknown CPU model \(model)", code: "cpu_unknown_model"))
            }
        }
        for feature in cpu.features {
            let since = CPUMap.release(knowingFeature: feature.name)
            if let since, since > profile.version {
                reasons.append(RestoreVerdict.Reason(
                    code: "cpu_unknown_feature", severity: .restoreFails,
                    message: "the \(origin) CPU feature \(feature.name) is known to libvirt only from \(since) (target: \(profile.version))",
                    libvirtMessage: profile.unknownFeatureMessage(feature.name), hint: Self.hints["cpu_unknown_feature"]))
            } else if since == nil {
                reasons.append(unknownNameReason("feature", feature.name, origin: origin, newest: newest,
                                                 libvirtMessage: profile.unknownFeatureMessage(feature.name),
                                                 code: "cpu_unknown_feature"))
            }
        }
        return reasons
    }

    /// A name in no map saveimg has read: fails on a target no newer than
    /// those maps; only a warning on a newer one (it may know the name).
    func unknownNameReason(_ kind: String, _ name: String, origin: String, newest: LibvirtVersion,
                           libvirtMessage: String, code: String) -> RestoreVerdict.Reason {
        if profile.version <= newest {
            return RestoreVerdict.Reason(code: code, severity: .restoreFails,
                                         message: "the \(origin) CPU \(kind) \(name) is in no libvirt CPU map up to \(newest)",
                                         libvirtMessage: libvirtMessage, hint: Self.hints[code])
        }
        return RestoreVerdict.Reason(code: code, severity: .warning,
                                     message: "the \(origin) CPU \(kind) \(name) is in no libvirt CPU map saveimg knows (up to \(newest)); \(profile.name) may not know it",
                                     libvirtMessage: libvirtMessage, hint: Self.hints[code])
    }

    /// Features the CPU requires: its model's plus require/force, minus disable/forbid.
    static func requiredFeatures(_ cpu: CPUDefinition) -> Set<String> {
        TargetHost.features(of: cpu)
    }

    func hostReasons(_ cpu: CPUDefinition, origin: String, image: SaveImage) -> [RestoreVerdict.Reason] {
        guard let host else {
            return [RestoreVerdict.Reason(code: "cpu_host_not_checked", severity: .info,
                                          message: "no target host CPU given: the \(origin) CPU was not compared with a host")]
        }
        if !host.describesTCG, image.domain.type != "kvm" {
            return [RestoreVerdict.Reason(
                code: "cpu_host_not_checked", severity: .info,
                message: "the domain runs under TCG (<domain type='\(image.domain.type ?? "?")'>), which emulates CPU "
                    + "features, so \(host.source) does not limit it; give --domcapabilities to compare with QEMU's TCG CPU")]
        }
        let required = Self.requiredFeatures(cpu)
        let missing = CPUMap.ordered(required.subtracting(host.features))
        let fullCheck = profile.knowsCPUCheck && cpu.check == "full"
        if profile.knowsCPUCheck && cpu.check == "none" {
            return [RestoreVerdict.Reason(code: "cpu_check_none", severity: .info,
                                          message: "the \(origin) CPU has check='none': libvirt does not compare it with the host")]
        }
        guard fullCheck else {
            guard !missing.isEmpty else { return [] }
            return [RestoreVerdict.Reason(
                code: "cpu_missing_features", severity: .restoreFails,
                message: "the \(origin) CPU requires features \(host.source) lacks: \(missing.joined(separator: ", "))",
                libvirtMessage: "the CPU is incompatible with host CPU: Host CPU does not provide required features: "
                    + missing.joined(separator: ", "),
                hint: Self.hints["cpu_missing_features"])]
        }
        var reasons: [RestoreVerdict.Reason] = []
        var extra: [String] = []
        if let model = cpu.model, let additions = host.modelAdditions[model] {
            let mentioned = Set(cpu.features.map(\.name))
            extra = CPUMap.ordered(additions.subtracting(required).subtracting(mentioned))
        } else if origin == "cookie", let cookieModel = cpu.model, let domainModel = image.domain.cpu?.model,
                  cookieModel != domainModel {
            reasons.append(RestoreVerdict.Reason(
                code: "cpu_model_differs", severity: .warning,
                message: "the cookie CPU model \(cookieModel) differs from the domain XML's \(domainModel) and "
                    + "\(host.source) has no measured QEMU additions for \(cookieModel): QEMU may enable features "
                    + "the cookie lacks (libvirt then fails with \"extra features\")",
                libvirtMessage: "guest CPU doesn't match specification: extra features: ...",
                hint: Self.hints["cpu_model_differs"]))
        }
        if !extra.isEmpty || !missing.isEmpty {
            var parts: [String] = []
            if !extra.isEmpty { parts.append("extra features: " + extra.joined(separator: ",")) }
            if !missing.isEmpty { parts.append("missing features: " + missing.joined(separator: ",")) }
            var what: [String] = []
            if !extra.isEmpty { what.append("QEMU enables \(extra.joined(separator: ", ")) beyond it") }
            if !missing.isEmpty { what.append("\(host.source) lacks \(missing.joined(separator: ", "))") }
            reasons.append(RestoreVerdict.Reason(
                code: missing.isEmpty ? "cpu_extra_features" : "cpu_missing_features", severity: .restoreFails,
                message: "the \(origin) CPU (check='full'): " + what.joined(separator: "; "),
                libvirtMessage: "guest CPU doesn't match specification: " + parts.joined(separator: ", "),
                hint: Self.hints[missing.isEmpty ? "cpu_extra_features" : "cpu_missing_features"]))
        }
        return reasons
    }
}
