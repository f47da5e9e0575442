/// How many entries a target QEMU allocates for each virtqueue of a virtio
/// device (`vring.num_default`, what `virtio_add_queue` got): a restore whose
/// stream holds a larger `vring.num` for that queue fails. Not in
/// `-dump-vmstate` (it depends on device properties and the machine type's
/// compat properties, not on the vmstate layout): measured per QEMU build and
/// machine type (``measured(qemu:machineType:)``, from
/// `scripts/lab/real-guests.sh`), or given by a target capture.
public struct VirtqueueLimits: Hashable, Sendable {
    /// Per vmstate name (`virtio-blk`, `virtio-net` ...), the allocated size of
    /// each queue in order; a device with more queues repeats the last one.
    public var sizes: [String: [UInt32]]
    /// What the figures are, for messages: e.g. `QEMU 11.1.3 (measured)`.
    public var source: String
    /// The machine type the figures are for, when one was given.
    public var machineType: String?

    /// Limits from a capture or a measurement.
    public init(sizes: [String: [UInt32]], source: String, machineType: String? = nil) {
        self.sizes = sizes
        self.source = source
        self.machineType = machineType
    }

    /// Whether the target QEMU refuses a `vring.num` above what it allocated.
    /// Only QEMU 11.1.3 of the four labs has the check (its binary holds
    /// "VQ %d vring.num %u exceeds allocated max %u"; 5.2, 7.2 and 10.0.13 do
    /// not): older targets load a larger size without complaint.
    public var enforced = true

    /// The sizes measured on the labs (`scripts/lab/virtqueue-sizes.py`:
    /// QMP `x-query-virtio-queue-status`, `vring-num-default`, for
    /// virtio-blk with 2 queues, virtio-net, virtio-rng, virtio-balloon),
    /// for a QEMU version (`11.1.3`, `10.0`, `7.2` ...); nil for a version
    /// not measured. The figures did not change with the machine type on any
    /// lab (pc-i440fx/pc-q35 7.2, 9.2, 10.0, 11.0, 11.1).
    public static func measured(qemu version: String, machineType: String? = nil) -> VirtqueueLimits? {
        guard let row = measuredTable.first(where: { version == $0.version || version.hasPrefix($0.version + ".") }) else { return nil }
        var limits = VirtqueueLimits(sizes: row.sizes, source: "QEMU \(version) (measured on the lab's \(row.build))",
                                     machineType: machineType)
        limits.enforced = row.enforced
        return limits
    }

    /// Device defaults as QEMU 7.2 and 11.1 allocate them (virtio-blk
    /// `queue-size` 256, virtio-net rx/tx 256 and control 64, virtio-rng 8,
    /// virtio-balloon 128).
    static let deviceDefaults: [String: [UInt32]] = [
        "virtio-blk": [256], "virtio-net": [256, 256, 64], "virtio-rng": [8], "virtio-balloon": [128],
    ]

    static let measuredTable: [(version: String, build: String, enforced: Bool, sizes: [String: [UInt32]])] = [
        ("11.1", "Debian sid 1:11.1.3+ds-1", true, deviceDefaults),
        // Debian trixie's 10.0.13 allocates 1024 entries for every queue of every
        // virtio device, whatever the device asks for and whatever the machine type.
        ("10.0", "Debian 13 1:10.0.13+ds-0+deb13u1", false,
         ["virtio-blk": [1024], "virtio-net": [1024], "virtio-rng": [1024], "virtio-balloon": [1024]]),
        ("7.2", "Debian 12 7.2.22", false, deviceDefaults),
        // 5.2 has no x-query-virtio-queue-status: the sizes its streams hold (the lab's 7.0 images).
        ("5.2", "Debian 11 5.2 (from its saved streams)", false, deviceDefaults),
    ]
}
