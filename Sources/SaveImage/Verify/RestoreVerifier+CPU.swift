extension RestoreVerifier {
    /// The CPU the target reader restores with: the cookie's when it reads
    /// the cookie and there is one with a `<cpu>`, else the domain XML's.
    public func restoreCPU(of image: SaveImage) -> (cpu: CPUDefinition, origin: String)? {
        if profile.readsCookie, image.libvirtReadsCookie, let cpu = image.cookie?.cpu { return (cpu, "cookie") }
        let domain = replacementDomain ?? image.domain
        return domain.cpu.map { ($0, "domain XML") }
    }

    /// Names the target's CPU map does not know (libvirt parses the domain XML
    /// and the cookie with it), then the comparison libvirt makes with the CPU
    /// that binds the guest on the target.
    func cpuReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        var reasons: [RestoreVerdict.Reason] = []
        // libvirt parses the domain XML's CPU first, then the cookie's.
        let domain = replacementDomain ?? image.domain
        if let cpu = domain.cpu { reasons += nameReasons(cpu, origin: "domain XML") }
        if !reasons.contains(where: { $0.severity == .restoreFails }),
           profile.readsCookie, image.libvirtReadsCookie, let cpu = image.cookie?.cpu {
            reasons += nameReasons(cpu, origin: "cookie")
        }
        if reasons.contains(where: { $0.severity == .restoreFails }) { return reasons }
        guard let (cpu, origin) = restoreCPU(of: image) else { return reasons }
        let mode = cpu.mode ?? "custom"
        guard mode == "custom" else {
            return reasons + [RestoreVerdict.Reason(.cpuNotChecked, .info,
                                                    "the \(origin) CPU has mode \(mode); libvirt derives it from the target host")]
        }
        return reasons + hostReasons(cpu, origin: origin, image: image)
    }

    /// Model and feature names the target's CPU map does not know, in
    /// document order (libvirt stops at the first).
    func nameReasons(_ cpu: CPUDefinition, origin: String) -> [RestoreVerdict.Reason] {
        let target = profile.version
        if let model = cpu.model, cpu.mode == nil || cpu.mode == "custom" {
            if let reason = nameReason(kind: "model", name: model, origin: origin,
                                       knowledge: CPUMap.knowledge(ofModel: model, at: target),
                                       libvirt: profile.unknownModelMessage(model), code: .cpuUnknownModel) {
                return [reason]
            }
        }
        var reasons: [RestoreVerdict.Reason] = []
        for feature in cpu.features {
            guard let reason = nameReason(kind: "feature", name: feature.name, origin: origin,
                                          knowledge: CPUMap.knowledge(ofFeature: feature.name, at: target),
                                          libvirt: profile.unknownFeatureMessage(feature.name), code: .cpuUnknownFeature)
            else { continue }
            reasons.append(reason)
            if reason.severity == .restoreFails { return [reason] }
        }
        return reasons
    }

    func nameReason(kind: String, name: String, origin: String, knowledge: CPUMap.Knowledge, libvirt: String,
                    code: VerifyCode) -> RestoreVerdict.Reason? {
        switch knowledge {
        case .known:
            return nil
        case .unknown(let since):
            let when = since.map { "libvirt's CPU map has it only from \($0)" } ?? "libvirt's CPU map no longer has it at \(profile.version)"
            return RestoreVerdict.Reason(code, .restoreFails,
                                         "the \(origin) CPU \(kind) \(name) is unknown to \(profile.name): \(when)",
                                         libvirt: libvirt)
        case .uncertain(let after, let before):
            return RestoreVerdict.Reason(.cpuNameUncertain, .warning,
                                         "the \(origin) CPU \(kind) \(name) entered (or left) libvirt's CPU map between \(after) and \(before); "
                                            + "whether \(profile.name) knows it is not known",
                                         libvirt: libvirt)
        case .neverSeen:
            // The target's own domcapabilities list every model its map has, and the host-model's features.
            if let host, host.customModels[name] != nil || host.hostModel?.features.contains(where: { $0.name == name }) == true {
                return nil
            }
            let newest = CPUMap.newestRelease
            // Beyond the newest map read, measured on 12.8: a name no map up to 11.3 has is still unknown.
            let note = profile.version <= newest ? "" : "; \(profile.name) is newer, and its domcapabilities do not name it either"
            return RestoreVerdict.Reason(code, .restoreFails,
                                         "the \(origin) CPU \(kind) \(name) is in no libvirt CPU map read (up to \(newest))\(note)",
                                         libvirt: libvirt)
        }
    }

    /// Features the CPU requires in the target's map: its model's plus require/force, minus disable/forbid.
    func requiredFeatures(_ cpu: CPUDefinition) -> Set<String> {
        TargetHost.features(of: cpu, at: profile.version)
    }

    func hostReasons(_ cpu: CPUDefinition, origin: String, image: SaveImage) -> [RestoreVerdict.Reason] {
        let domainType = (replacementDomain ?? image.domain).type
        guard let host else {
            return [RestoreVerdict.Reason(.cpuHostNotChecked, .cannotTell,
                                          "check not made: no target host description given, so the \(origin) CPU was not "
                                              + "compared with the CPU libvirt compares it with (give --target host.json or --domcapabilities)")]
        }
        if profile.knowsCPUCheck && cpu.check == "none" {
            return [RestoreVerdict.Reason(.cpuCheckNone, .info,
                                          "the \(origin) CPU has check='none': libvirt does not compare it with the host")]
        }
        var reasons: [RestoreVerdict.Reason] = []
        if let model = cpu.model, origin == "cookie", let domainModel = image.domain.cpu?.model, model != domainModel {
            reasons += modelDiffersReasons(cpu, cookieModel: model, domainModel: domainModel, host: host)
            if reasons.contains(where: { $0.severity == .restoreFails }) { return reasons }
        }
        guard let (available, source) = host.comparisonCPU(forDomainType: domainType, release: profile.version) else {
            let type = domainType ?? "qemu"
            let message = type == "kvm"
                ? "check not made: no description of the target's KVM host CPU was given, so the \(origin) CPU was not compared "
                    + "(give --target host.json or --domcapabilities from `virsh domcapabilities --virttype kvm`)"
                : "check not made: the domain runs under TCG (<domain type='\(type)'>), which emulates CPU features, so the "
                    + "physical host CPU does not bind it; libvirt compares the \(origin) CPU with QEMU's TCG CPU, which only "
                    + "--target host.json or --domcapabilities (`virsh domcapabilities --virttype qemu`) describes"
            return reasons + [RestoreVerdict.Reason(.cpuHostNotChecked, .cannotTell, message)]
        }
        let required = requiredFeatures(cpu)
        let missing = CPUMap.ordered(required.subtracting(available))
        let fullCheck = profile.knowsCPUCheck && cpu.check == "full"
        guard fullCheck else {
            guard !missing.isEmpty else { return reasons }
            return reasons + [RestoreVerdict.Reason(
                .cpuMissingFeatures, .restoreFails,
                "the \(origin) CPU requires features \(source) lacks: \(missing.joined(separator: ", "))",
                libvirt: "the CPU is incompatible with host CPU: Host CPU does not provide required features: "
                    + missing.joined(separator: ", "))]
        }
        var extra: [String] = []
        if let model = cpu.model, let additions = host.modelAdditions[model] {
            let mentioned = Set(cpu.features.map(\.name))
            extra = CPUMap.ordered(additions.subtracting(required).subtracting(mentioned))
        }
        if !extra.isEmpty || !missing.isEmpty {
            var parts: [String] = []
            if !extra.isEmpty { parts.append("extra features: " + extra.joined(separator: ",")) }
            if !missing.isEmpty { parts.append("missing features: " + missing.joined(separator: ",")) }
            var what: [String] = []
            if !extra.isEmpty { what.append("QEMU enables \(extra.joined(separator: ", ")) beyond it") }
            if !missing.isEmpty { what.append("\(source) lacks \(missing.joined(separator: ", "))") }
            reasons.append(RestoreVerdict.Reason(
                missing.isEmpty ? .cpuExtraFeatures : .cpuMissingFeatures, .restoreFails,
                "the \(origin) CPU (check='full'): " + what.joined(separator: "; "),
                libvirt: "guest CPU doesn't match specification: " + parts.joined(separator: ", ")))
        }
        return reasons
    }

    /// A cookie CPU whose model is not the domain XML's. libvirt starts QEMU
    /// with the cookie's CPU and, with check='full', reports every feature
    /// QEMU enables that the cookie CPU (its model's cpu_map definition plus
    /// its listed features) lacks. A cookie libvirt wrote lists only features
    /// beyond the definition of the model QEMU ran, never ones inside it. So,
    /// from libvirt's model definitions: a cookie listing features that the
    /// cookie model's definition already holds, and none of the domain model's,
    /// was computed for the domain's model: QEMU's own additions to the
    /// cookie model are missing from it and the restore fails with "extra
    /// features" (their names need --model-additions). A list consistent with
    /// the cookie model restores.
    func modelDiffersReasons(_ cpu: CPUDefinition, cookieModel: String, domainModel: String, host: TargetHost)
        -> [RestoreVerdict.Reason] {
        guard profile.knowsCPUCheck, cpu.check == "full" else { return [] }
        let listed = Set(cpu.features.filter { !$0.policy.removesFeature }.map(\.name))
        let cookieDefinition = CPUMap.features(ofModel: cookieModel, at: profile.version) ?? []
        let domainDefinition = CPUMap.features(ofModel: domainModel, at: profile.version) ?? []
        if let additions = host.modelAdditions[cookieModel] {
            let extra = CPUMap.ordered(additions.subtracting(cookieDefinition).subtracting(listed))
            guard !extra.isEmpty else { return [] }
            return [RestoreVerdict.Reason(
                .cpuExtraFeatures, .restoreFails,
                "the cookie CPU model \(cookieModel) is not the domain XML's \(domainModel): QEMU enables "
                    + "\(extra.joined(separator: ", ")) for \(cookieModel) (measured), which the cookie does not list",
                libvirt: "guest CPU doesn't match specification: extra features: " + extra.joined(separator: ","))]
        }
        let insideCookieModel = CPUMap.ordered(listed.intersection(cookieDefinition))
        let insideDomainModel = listed.intersection(domainDefinition)
        if !insideCookieModel.isEmpty, insideDomainModel.isEmpty {
            return [RestoreVerdict.Reason(
                .cpuModelDiffers, .restoreFails,
                "the cookie CPU model \(cookieModel) is not the domain XML's \(domainModel), and the cookie lists "
                    + "\(insideCookieModel.joined(separator: ", ")), which libvirt's \(cookieModel) already holds: the list was "
                    + "recorded for \(domainModel), so QEMU's additions to \(cookieModel) are missing from it "
                    + "(their names need --model-additions)",
                libvirt: "guest CPU doesn't match specification: extra features: ...")]
        }
        if insideCookieModel.isEmpty, !insideDomainModel.isEmpty { return [] }  // recorded for the cookie's model
        // Measured on all four labs: such a cookie restores (domain-model-qemu64-cookie-westmere); a warning, not `cannot tell`.
        return [RestoreVerdict.Reason(
            .cpuModelDiffers, .warning,
            "the cookie CPU model \(cookieModel) is not the domain XML's \(domainModel); whether its feature list covers "
                + "what QEMU enables for \(cookieModel) cannot be told from libvirt's model definitions",
            libvirt: "guest CPU doesn't match specification: extra features: ...")]
    }
}
