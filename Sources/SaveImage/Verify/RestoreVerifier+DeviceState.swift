extension RestoreVerifier {
    /// The device-state and firmware reasons for `image` on `target`:
    /// sections the target QEMU cannot load (``DeviceStateCompatibility``),
    /// virtqueues larger than it allocates, firmware it does not have
    /// (``FirmwareCompatibility``). Reads the stream's end (raw and sparse
    /// images; a compressed stream gives one `not judged` reason).
    ///
    /// Codes are `device_state_*` and `firmware_*` (``VerifyCode/finding(_:)``).
    /// - Parameter decompress: decode a compressed stream to its end (`verify --deep`).
    /// - Parameter walkedTail: the stream's end kept by a walk that already
    ///   decoded it (``DeepCheck/run(image:keepingTail:progress:)``): then the
    ///   stream is not decoded again.
    public static func deviceStateReasons(_ image: SaveImage, target: DeviceStateTarget, decompress: Bool = false,
                                          walkedTail: DeviceStateEvidence.Tail? = nil) -> [RestoreVerdict.Reason] {
        var reasons = firmwareReasons(image, target: target.firmware)
        let machine = image.streamPrelude?.machineType ?? image.domain.machine
        let dump = target.dump(for: machine)
        var notChecked = "device state not checked: the target QEMU's vmstate descriptions for machine \(machine ?? "(none)") are not known"
            + " (a capture made on the target by `saveimg target capture` records them: --target host.json; on this host, the installed QEMU is asked)"
        if let dumper = target.dumper, dumper.expectedVersion != nil, !dumper.isTargetQEMU {
            notChecked += "; \(dumper.command.joined(separator: " ")) here is not the QEMU \(dumper.expectedVersion ?? "") the libvirt asked runs"
        }
        guard dump != nil || target.virtqueueLimits != nil else {
            reasons.append(RestoreVerdict.Reason(.finding("device_state_not_checked"), .cannotTell, notChecked))
            return reasons
        }
        guard let tail = walkedTail ?? DeviceStateEvidence.tail(of: image, decompress: decompress),
              let states = DeviceStateEvidence.savedDeviceStates(in: tail, path: image.path) else {
            reasons.append(RestoreVerdict.Reason(.finding("device_state_not_checked"), .cannotTell,
                                                 "device state not checked: no VM description read at the stream's end (\(image.effectiveFormat) stream\(decompress ? "" : "; `verify --deep` decodes a compressed one"))"))
            return reasons
        }
        let queues = target.virtqueueLimits.map { _ in DeviceStateEvidence.virtqueueSizes(in: tail, states: states) } ?? []
        var notInDump: [String] = []
        for problem in DeviceStateCompatibility.check(image: states, target: dump, virtqueues: queues, limits: target.virtqueueLimits) {
            // Sections the dump does not list (non-device vmstates): one line naming them all.
            if problem.kind == .notInDump {
                if !notInDump.contains(problem.vmstate) { notInDump.append(problem.vmstate) }
                continue
            }
            let severity: Finding.Severity = problem.willFail ? .restoreFails : problem.kind == .notInDump ? .info : .cannotTell
            let message = "device \(problem.section)\(problem.field.map { ", \($0)" } ?? ""): \(problem.message)"
            reasons.append(RestoreVerdict.Reason(.finding("device_state_" + problem.kind.rawValue), severity,
                                                 problem.willFail ? "will fail: " + message : message,
                                                 libvirt: problem.willFail ? problem.qemuMessage : nil))
        }
        if !notInDump.isEmpty {
            reasons.append(RestoreVerdict.Reason(.finding("device_state_not_in_dump"), .info,
                                                 "sections not judged: the target's -dump-vmstate lists no device class for \(notInDump.joined(separator: ", ")) (vmstates QEMU registers outside device classes)"))
        }
        if dump == nil {
            reasons.append(RestoreVerdict.Reason(.finding("device_state_not_checked"), .cannotTell,
                                                 notChecked + "; only the virtqueue sizes of \(states.devices.count) sections were checked"))
        }
        return reasons
    }

    /// The firmware reasons: a guest with a `<loader>` and no firmware
    /// description of the target (domcapabilities) is not judged.
    static func firmwareReasons(_ image: SaveImage, target firmware: FirmwareCompatibility.Target?) -> [RestoreVerdict.Reason] {
        guard let firmware else {
            guard let loader = image.domain.element.descendant("os", "loader") else { return [] }
            return [RestoreVerdict.Reason(.finding("firmware_not_checked"), .cannotTell,
                                          "firmware not checked: the guest's loader \(loader.text.trimmingWhitespace()) was not compared with the target's firmware (its domcapabilities and files: --target host.json, or --domcapabilities)")]
        }
        let blocks = (StreamEvidence.ramBlocks(of: image) ?? []).map { (name: $0.name, size: $0.size) }
        let saved = FirmwareCompatibility.Saved(domain: image.domain.element, ramBlocks: blocks)
        return FirmwareCompatibility.check(saved, target: firmware).map { problem in
            // A loader the target does not list, or whose size is not known, may or may not load: no answer without its files.
            RestoreVerdict.Reason(.finding(problem.kind.rawValue), problem.willFail ? .restoreFails : .cannotTell,
                                  problem.willFail ? problem.message : problem.message + "; the target's files would tell (a capture made by `saveimg target capture` there lists them)",
                                  libvirt: problem.willFail ? problem.qemuMessage : nil)
        }
    }

    /// What is known of the target's devices and firmware without its
    /// `-dump-vmstate`: the virtqueue sizes its QEMU allocates, where that
    /// QEMU refuses larger saved queues (measured: 11.1; ``VirtqueueLimits``),
    /// and the firmware its domcapabilities list.
    func defaultDeviceTarget(_ image: SaveImage) -> DeviceStateTarget {
        var limits = VirtqueueLimits.measured(qemu: "\(profile.effectiveQEMU)", machineType: image.domain.machine)
        if limits?.enforced != true { limits = nil }
        var firmware = host?.loaderValues.map {
            FirmwareCompatibility.Target(loaderValues: $0, source: host?.hostModelSource ?? host?.source ?? "domcapabilities")
        }
        if let firmwareFiles {
            if firmware == nil { firmware = FirmwareCompatibility.Target(loaderValues: [], source: "the target's firmware files") }
            firmware?.files = firmwareFiles
        }
        return DeviceStateTarget(captured: vmstate, virtqueueLimits: limits, firmware: firmware)
    }
}
