extension RestoreVerifier {
    /// The domain XML's machine type (QEMU is started with it) against the
    /// machines the target's emulator knows; and against the stream's
    /// configuration section (QEMU refuses a stream from another machine).
    func machineReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        var reasons: [RestoreVerdict.Reason] = []
        let domainMachine = image.domain.machine
        let streamMachine = image.streamPrelude?.machineType
        guard let machine = domainMachine ?? streamMachine else { return [] }
        if let domainMachine, let streamMachine, domainMachine != streamMachine,
           host?.machineAliases[domainMachine] != streamMachine {
            reasons.append(RestoreVerdict.Reason(
                .machineStreamDiffers, .restoreFails,
                "the domain XML's machine \(domainMachine) is not the stream's (\(streamMachine))",
                libvirt: "Machine type received is '\(streamMachine)' and local is '\(domainMachine)'"))
        }
        reasons += capabilityReasons(image)
        reasons += lifecycleReasons(machine: machine, arch: image.domain.arch ?? "x86_64")
        if reasons.contains(where: { $0.code == .machineUnsupported }) { return reasons }
        guard let host else {
            reasons.append(RestoreVerdict.Reason(
                .machineNotChecked, .cannotTell,
                "check not made: machine type \(machine) was not compared with the target emulator's machine list "
                    + "(no description of the target: give --target host.json or --capabilities)"))
            return reasons
        }
        let arch = image.domain.arch ?? "x86_64"
        let known = host.machines[arch] ?? []
        let emulator = host.emulators[arch] ?? "/usr/bin/qemu-system-\(arch)"
        if known.contains(machine) { return reasons }
        guard host.knowsAllMachines else {
            let listed = host.domainCapabilitiesMachine.map { "\(host.source) describes only machine \($0)" }
                ?? "no machine list given"
            reasons.append(RestoreVerdict.Reason(
                .machineNotChecked, .cannotTell,
                "check not made: machine type \(machine) was not compared with the target emulator's machine list: \(listed); "
                    + "give --target host.json or --capabilities (`virsh capabilities`) for the emulator's full list"))
            return reasons
        }
        let message = "the emulator of \(host.physicalSource ?? host.source) (\(emulator)) does not know machine type \(machine)"
        reasons.append(unsupportedMachine(machine, emulator: emulator, message: message))
        return reasons
    }

    /// The stream's validated capabilities against what libvirt turns on at
    /// restore. QEMU's configuration section lists `x-ignore-shared` (and
    /// `mapped-ram`) when they were on; the destination refuses a stream whose
    /// list differs from its own settings (migration/savevm.c,
    /// `configuration_validate_capabilities`), and libvirt never turns
    /// `x-ignore-shared` on: measured on 7.0, 9.0, 11.3 and 12.8
    /// (`scripts/lab/ignore-shared-check.sh`).
    func capabilityReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        guard let capabilities = image.streamPrelude?.capabilities, capabilities.contains("x-ignore-shared") else { return [] }
        return [RestoreVerdict.Reason(
            .streamCapabilityMismatch, .restoreFails,
            "the stream was saved with QEMU's x-ignore-shared capability (RAM in shared memory is not in the image); "
                + "libvirt never turns it on at restore, and QEMU refuses a stream whose capabilities differ from its own",
            libvirt: profile.capabilityMismatchMessage("x-ignore-shared"),
            offset: image.streamOffset + 8)]  // bounded: the stream's offset is below the file's size; 8 more is the configuration section
    }

    /// A machine type the target's emulator lacks, in the release's words.
    func unsupportedMachine(_ machine: String, emulator: String, message: String) -> RestoreVerdict.Reason {
        var message = message
        message += profile.validatesMachineType
            ? "; libvirt refuses before starting QEMU"
            : "; libvirt starts QEMU, which exits"
        if profile.basis != .measured { message += " (as measured on \(profile.nearestMeasured), the nearest measured release)" }
        let program = emulator.split(separator: "/").last.map(String.init) ?? emulator
        let libvirt = profile.validatesMachineType
            ? profile.unsupportedMachineMessage(machine, emulator: emulator)
            : "\(program): -machine \(machine),...: unsupported machine type"
        return RestoreVerdict.Reason(.machineUnsupported, .restoreFails, message, libvirt: libvirt)
    }

    /// QEMU's machine-type rule (``MachineTypeLifecycle``) for the target's
    /// QEMU when it is known: a type it no longer registers fails; one it
    /// marks deprecated (its capabilities say so, or the rule) is noted with
    /// the release that will refuse it.
    func lifecycleReasons(machine: String, arch: String) -> [RestoreVerdict.Reason] {
        let canonical = host?.machineAliases[machine] ?? machine
        guard let lifecycle = MachineTypeLifecycle(machine: canonical) else { return [] }
        let emulator = host?.emulators[arch] ?? "/usr/bin/qemu-system-\(arch)"
        if let qemu = profile.qemu, !lifecycle.isRegistered(in: qemu) {
            return [unsupportedMachine(machine, emulator: emulator, message:
                "QEMU \(qemu) no longer registers machine type \(canonical): it goes with QEMU \(lifecycle.refusedFrom) "
                    + "(\(MachineTypeLifecycle.source))")]
        }
        let flagged = host?.deprecatedMachines[arch]?.contains(canonical) == true
        guard flagged || profile.qemu.map(lifecycle.isDeprecated(in:)) == true else { return [] }
        return [RestoreVerdict.Reason(
            .machineDeprecated, .info,
            "machine type \(canonical) is deprecated on the target's QEMU"
                + (flagged ? " (its capabilities say deprecated='yes')" : "")
                + ": QEMU \(lifecycle.refusedFrom) and later refuse it, so restore this image before upgrading QEMU that far "
                + "(\(MachineTypeLifecycle.source))")]
    }

    /// The domain XML's `<memory>` against the stream's main RAM block
    /// (`pc.ram` on x86 pc/q35): QEMU allocates the XML's size and refuses a
    /// stream block of another size.
    func ramReasons(_ image: SaveImage, walk: StreamWalkResult? = nil) -> [RestoreVerdict.Reason] {
        let domain = replacementDomain ?? image.domain
        guard let kib = domain.memoryKiB, domain.element.first("maxMemory") == nil else { return [] }
        let walked = walk?.report.map(\.stream.ramBlocks).flatMap { $0.isEmpty ? nil : $0 }
        guard let blocks = walked ?? StreamEvidence.ramBlocks(of: image) else {
            guard image.streamLength > 0, profile.canRestore(format: image.effectiveFormat),
                  !image.findings.contains(where: { $0.code == .streamMissing || $0.code == .formatStreamMismatch })
            else { return [] }
            return [RestoreVerdict.Reason(
                .ramSizeNotChecked, .cannotTell,
                "check not made: the stream's RAM block list was not found in its first decoded bytes, so the domain XML's "
                    + "<memory> (\(kib) KiB) was not compared with it; `--deep` decodes the whole stream")]
        }
        guard let main = blocks.first(where: { $0.name == "pc.ram" }) else { return [] }
        let (bytes, overflow) = kib.multipliedReportingOverflow(by: 1024)
        guard !overflow, bytes != main.size else { return [] }
        return [RestoreVerdict.Reason(
            .ramSizeMismatch, .restoreFails,
            "the domain XML's <memory> is \(kib) KiB but the stream's RAM block \(main.name) holds \(main.size / 1024) KiB",
            libvirt: profile.ramSizeMismatchMessage(block: main.name, stream: main.size, domain: bytes))]
    }

    /// Constructs the target's parser refuses (``DomainXMLConstruct``).
    func constructReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        let domain = replacementDomain ?? image.domain
        var reasons: [RestoreVerdict.Reason] = []
        for construct in DomainXMLConstruct.all where profile.version < construct.since {
            let inDomain = construct.matches(domain.element)
            let inCookie = profile.readsCookie && image.libvirtReadsCookie
                && (image.cookie.map { construct.matches($0.element) } ?? false)
            guard inDomain || inCookie else { continue }
            reasons.append(RestoreVerdict.Reason(
                .xmlConstructUnsupported, .restoreFails,
                "the \(inDomain ? "domain XML" : "cookie") uses \(construct.name), which libvirt accepts only from "
                    + "\(construct.since) (\(construct.source))",
                libvirt: construct.olderMessage))
        }
        return reasons
    }
}
