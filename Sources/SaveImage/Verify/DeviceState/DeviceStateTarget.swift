/// What a target offers a restored guest's devices and firmware: its QEMU's
/// `-dump-vmstate` for the image's machine type, the virtqueue sizes it
/// allocates, and its firmware. Each part is optional; a missing part is not
/// judged. The target capture (`vmstate` member, keyed by machine type)
/// supplies the dump; ``VirtqueueLimits/measured(qemu:machineType:)`` the
/// queue sizes for a measured QEMU.
public struct DeviceStateTarget: Hashable, Sendable {
    /// The target QEMU's `-dump-vmstate` per machine type (`pc-q35-10.0` ...).
    public var vmstate: [String: TargetVMStateDump]
    /// A target capture's dumps (``CapturedVMState``), looked up per machine type.
    public var captured: CapturedVMState?
    /// This machine's QEMU, asked on demand for the image's machine type (the local-host target).
    public var dumper: VMStateDumper?
    /// What the target QEMU allocates per virtqueue (nil: not judged).
    public var virtqueueLimits: VirtqueueLimits?
    /// The target's firmware (nil: not judged).
    public var firmware: FirmwareCompatibility.Target?

    /// A target; every part is optional.
    public init(vmstate: [String: TargetVMStateDump] = [:], captured: CapturedVMState? = nil, dumper: VMStateDumper? = nil,
                virtqueueLimits: VirtqueueLimits? = nil, firmware: FirmwareCompatibility.Target? = nil) {
        self.vmstate = vmstate
        self.captured = captured
        self.dumper = dumper
        self.virtqueueLimits = virtqueueLimits
        self.firmware = firmware
    }

    /// Whether any source of vmstate descriptions is there.
    public var hasVMState: Bool { !vmstate.isEmpty || captured?.machines.isEmpty == false || dumper != nil }

    /// The dump for a machine type: the exact one (given, captured, or asked
    /// of this machine's QEMU), else the one of the same family (`pc-q35-*`,
    /// `pc-i440fx-*`) with the highest version (a dump's layout hardly
    /// depends on the versioned machine type: compat properties change
    /// values, not the vmstate descriptions).
    public func dump(for machine: String?) -> TargetVMStateDump? {
        guard let machine else { return nil }
        if let exact = vmstate[machine] ?? captured?.dump(exactly: machine) { return exact }
        if let dumper, let asked = dumper.dump(machine: machine) { return asked }
        let family = machine.hasPrefix("pc-q35") ? "pc-q35-" : machine.hasPrefix("pc-i440fx") || machine == "pc" ? "pc-i440fx-" : nil
        guard let family else { return nil }
        let names = Array(vmstate.keys) + (captured.map { Array($0.machines.keys) } ?? [])  // bounded: array concatenation
        guard let newest = names.filter({ $0.hasPrefix(family) })
            .max(by: { Self.version($0).lexicographicallyPrecedes(Self.version($1)) }) else { return nil }
        return vmstate[newest] ?? captured?.dump(exactly: newest)
    }

    /// `pc-q35-10.1` -> [10, 1].
    static func version(_ machine: String) -> [Int] {
        (machine.split(separator: "-").last ?? "").split(separator: ".").map { Int($0) ?? 0 }  // bounded: Int(String) parses, nil when out of range
    }
}
