/// How many entries a target QEMU allocates for each virtqueue of a virtio
/// device (`vring.num_default`, what `virtio_add_queue` got): a restore whose
/// stream holds a larger `vring.num` for that queue fails. Not in
/// `-dump-vmstate` (it depends on device properties and the machine type's
/// compat properties, not on the vmstate layout): measured per QEMU build and
/// machine type (``measured(qemu:machineType:)``, from
/// `scripts/lab-real-guests.sh`), or given by a target capture.
public struct VirtqueueLimits: Hashable, Sendable {
    /// Per vmstate name (`virtio-blk`, `virtio-net` ...), the allocated size of
    /// each queue in order; a device with more queues repeats the last one.
    public var sizes: [String: [UInt32]]
    /// What the figures are, for messages: e.g. `QEMU 11.1.3 (measured)`.
    public var source: String
    public var machineType: String?

    public init(sizes: [String: [UInt32]], source: String, machineType: String? = nil) {
        self.sizes = sizes
        self.source = source
        self.machineType = machineType
    }
}
