extension RestoreVerifier {
    /// The device-state and firmware reasons for `image` on `target`:
    /// sections the target QEMU cannot load (``DeviceStateCompatibility``),
    /// virtqueues larger than it allocates, firmware it does not have
    /// (``FirmwareCompatibility``). Reads the stream's end (raw and sparse
    /// images; a compressed stream gives one `not judged` reason).
    ///
    /// Codes are `device_state_*` and `firmware_*` (``VerifyCode/finding(_:)``).
    /// - Parameter decompress: decode a compressed stream to its end (`verify --deep`).
    public static func deviceStateReasons(_ image: SaveImage, target: DeviceStateTarget, decompress: Bool = false) -> [RestoreVerdict.Reason] {
        var reasons: [RestoreVerdict.Reason] = []
        if let firmware = target.firmware {
            let blocks = (StreamEvidence.ramBlocks(of: image) ?? []).map { (name: $0.name, size: $0.size) }
            let saved = FirmwareCompatibility.Saved(domain: image.domain.element, ramBlocks: blocks)
            for problem in FirmwareCompatibility.check(saved, target: firmware) {
                // A loader the target does not list may or may not be there: no answer without its files.
                let severity: Finding.Severity = problem.willFail ? .restoreFails
                    : problem.kind == .loaderNotListed ? .cannotTell : .warning
                reasons.append(RestoreVerdict.Reason(.finding(problem.kind.rawValue), severity,
                                                     problem.kind == .loaderNotListed
                                                         ? problem.message + "; the target's files would tell (run saveimg there)" : problem.message))
            }
        }
        let dump = target.dump(for: image.streamPrelude?.machineType ?? image.domain.machine)
        guard dump != nil || target.virtqueueLimits != nil else { return reasons }
        guard let tail = DeviceStateEvidence.tail(of: image, decompress: decompress),
              let states = DeviceStateEvidence.savedDeviceStates(in: tail, path: image.path) else {
            reasons.append(RestoreVerdict.Reason(.finding("device_state_not_checked"), .warning,
                                                 "device state not checked: no VM description read at the stream's end (\(image.effectiveFormat) stream\(decompress ? "" : "; `verify --deep` decodes a compressed one"))"))
            return reasons
        }
        let queues = target.virtqueueLimits.map { _ in DeviceStateEvidence.virtqueueSizes(in: tail, states: states) } ?? []
        for problem in DeviceStateCompatibility.check(image: states, target: dump, virtqueues: queues, limits: target.virtqueueLimits) {
            let severity: Finding.Severity = problem.willFail ? .restoreFails : problem.kind == .notInDump ? .info : .warning
            let message = "device \(problem.section)\(problem.field.map { ", \($0)" } ?? ""): \(problem.message)"
            reasons.append(RestoreVerdict.Reason(.finding("device_state_" + problem.kind.rawValue), severity,
                                                 problem.willFail ? "will fail: " + message : message,
                                                 libvirt: problem.willFail ? "load of migration failed: Invalid argument: error while loading state for instance 0x0 of device '\(problem.section)'" : nil))
        }
        return reasons
    }

    /// What is known of the target's devices and firmware without its
    /// `-dump-vmstate`: the virtqueue sizes its QEMU allocates, where that
    /// QEMU refuses larger saved queues (measured: 11.1; ``VirtqueueLimits``),
    /// and the firmware its domcapabilities list. nil when neither applies.
    func defaultDeviceTarget(_ image: SaveImage) -> DeviceStateTarget? {
        var limits = VirtqueueLimits.measured(qemu: "\(profile.effectiveQEMU)", machineType: image.domain.machine)
        if limits?.enforced != true { limits = nil }
        let firmware = host?.loaderValues.map {
            FirmwareCompatibility.Target(loaderValues: $0, source: host?.hostModelSource ?? host?.source ?? "domcapabilities")
        }
        guard limits != nil || (firmware != nil && image.domain.element.descendant("os", "loader") != nil) else { return nil }
        return DeviceStateTarget(virtqueueLimits: limits, firmware: firmware)
    }
}
