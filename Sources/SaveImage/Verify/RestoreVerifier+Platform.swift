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
        guard let host else { return reasons }
        let arch = image.domain.arch ?? "x86_64"
        let known = host.machines[arch] ?? []
        let emulator = host.emulators[arch] ?? "/usr/bin/qemu-system-\(arch)"
        if known.contains(machine) { return reasons }
        guard host.knowsAllMachines else {
            let listed = host.domainCapabilitiesMachine.map { "\(host.source) describes only machine \($0)" }
                ?? "no machine list given"
            reasons.append(RestoreVerdict.Reason(
                .machineNotChecked, .info,
                "machine \(machine) not checked: \(listed); give --capabilities (`virsh capabilities`) for the emulator's full list"))
            return reasons
        }
        var message = "the emulator of \(host.physicalSource ?? host.source) (\(emulator)) does not know machine type \(machine)"
        message += profile.validatesMachineType
            ? "; libvirt refuses before starting QEMU"
            : "; libvirt starts QEMU, which exits"
        if profile.basis != .measured { message += " (as measured on \(profile.nearestMeasured), the nearest measured release)" }
        let program = emulator.split(separator: "/").last.map(String.init) ?? emulator
        let libvirt = profile.validatesMachineType
            ? profile.unsupportedMachineMessage(machine, emulator: emulator)
            : "\(program): -machine \(machine),...: unsupported machine type"
        reasons.append(RestoreVerdict.Reason(.machineUnsupported, .restoreFails, message, libvirt: libvirt))
        return reasons
    }

    /// The domain XML's `<memory>` against the stream's main RAM block
    /// (`pc.ram` on x86 pc/q35): QEMU allocates the XML's size and refuses a
    /// stream block of another size.
    func ramReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        let domain = replacementDomain ?? image.domain
        guard let kib = domain.memoryKiB, domain.element.first("maxMemory") == nil,
              let blocks = StreamEvidence.ramBlocks(of: image),
              let main = blocks.first(where: { $0.name == "pc.ram" }) else { return [] }
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
