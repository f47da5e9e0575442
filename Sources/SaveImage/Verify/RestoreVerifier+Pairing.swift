extension RestoreVerifier {
    /// The pairing rules (``PairingRule``) for the target's libvirt and QEMU.
    func pairingReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        let qemu = profile.effectiveQEMU
        let pair = "\(profile.name) with QEMU \(qemu)\(profile.qemu == nil ? " (assumed)" : "")"
        var reasons: [RestoreVerdict.Reason] = []
        for rule in PairingRule.all where rule.applies(libvirt: profile.version, qemu: qemu) {
            switch rule.effect {
            case .restoresNothing:
                reasons.append(RestoreVerdict.Reason(
                    .pairingRestoresNothing, .restoreFails,
                    "\(pair) restores no save image: \(rule.source); libvirt's exact message was not measured"))
            case .extraFeatureHT:
                guard let (cpu, origin) = restoreCPU(of: image), cpu.mode ?? "custom" == "custom",
                      profile.knowsCPUCheck, cpu.check == "full",
                      !cpu.features.contains(where: { $0.name == "ht" }),
                      Self.coresTimesThreads(replacementDomain ?? image.domain) > 1 else { continue }
                reasons.append(RestoreVerdict.Reason(
                    .cpuExtraFeatures, .restoreFails,
                    "\(pair): the \(origin) CPU (check='full') has more than one core or thread per socket, so QEMU "
                        + "sets ht, which the CPU does not list (\(rule.source); not measured)",
                    libvirt: "guest CPU doesn't match specification: extra features: ht"))
            case .amdArchCapabilities:
                guard host?.physicalCPU?.vendor == "AMD",
                      let (cpu, origin) = restoreCPU(of: image),
                      requiredFeatures(cpu).contains("arch-capabilities") else { continue }
                reasons.append(RestoreVerdict.Reason(
                    .cpuArchCapabilities, .warning,
                    "\(pair) on an AMD host: the \(origin) CPU requires arch-capabilities, which QEMU no longer enables by "
                        + "itself there (\(rule.source)); the restore may be refused"))
            }
        }
        return reasons
    }

    /// cores × threads of the domain's `<cpu><topology>` (1 without one).
    static func coresTimesThreads(_ domain: DomainSummary) -> Int {
        guard let topology = domain.element.first("cpu")?.first("topology") else { return 1 }
        let cores = topology[attribute: "cores"].flatMap { Int($0) } ?? 1
        let threads = topology[attribute: "threads"].flatMap { Int($0) } ?? 1
        guard (1...4096).contains(cores), (1...4096).contains(threads) else { return 1 }
        return cores * threads  // bounded: both at most 4096
    }
}
