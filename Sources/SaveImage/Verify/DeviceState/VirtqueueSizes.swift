/// The virtqueue sizes (`vring.num`) a virtio device's state holds, read from
/// the section's bytes: the VM description records a virtio device's state
/// as one opaque `virtio` field, so the sizes are only in the values.
///
/// The layout is QEMU's `virtio_save` over the virtio-pci transport
/// (hw/virtio/virtio.c, virtio-pci.c, hw/pci/pci.c, msix.c), the same in
/// QEMU 5.2 through 11.1:
///
///     PCI device vmstate: be32 version, config space (256 bytes, 4096 for
///       a PCI Express device), 4 x be32 IRQ state
///     MSI-X (when the config space lists the capability): n x 16-byte
///       table entries, (n + 7) / 8 pending bytes, be16 config vector
///     u8 status, u8 isr, be16 queue_sel, be32 features, be32 config_len,
///       config_len bytes, be32 queue count
///     per queue: be32 vring.num, be64 descriptor address,
///       be16 last_avail_idx, be16 MSI-X vector (with MSI-X)
///
/// Every count is checked against the bytes and QEMU's own limits; anything
/// unexpected (a PCI subsection, another transport) gives nil: not judged.
public struct VirtqueueSizes: Hashable, Sendable {
    /// The section's id string, e.g. `0000:00:04.0/virtio-blk`.
    public var section: String
    /// The vmstate name, e.g. `virtio-blk`.
    public var vmstateName: String
    /// `vring.num` of each virtqueue, in queue order.
    public var queueSizes: [UInt32]
    /// Where each `vring.num` is (`base` plus its place in the section's data).
    public var offsets: [UInt64]

    /// QEMU's VIRTIO_QUEUE_MAX (queues per device) and VIRTQUEUE_MAX_SIZE (entries per queue).
    static let maximumQueues: UInt32 = 1024
    static let maximumQueueSize: UInt32 = 1024

    /// Reads the sizes from `data`, the bytes right after the section's
    /// header (FULL: type, id, name, instance, version); `base` is the
    /// offset of `data[0]` in the file, for messages.
    public init?(section: String, vmstateName: String, data: [UInt8], base: UInt64) {
        var reader = Reader(bytes: data)
        // The PCI device vmstate (vmstate_pci_device / vmstate_pcie_device).
        guard let pciVersion = reader.be32(), pciVersion == 2,
              let header = reader.peek(256),
              header[0] == 0xf4, header[1] == 0x1a  // virtio's PCI vendor id 0x1af4
        else { return nil }
        let capabilities = Self.capabilities(in: header)
        let express = capabilities[0x10] != nil
        guard reader.skip(express ? 4096 : 256), reader.skip(16) else { return nil }
        // A subsection of the PCI vmstate would start with QEMU_VM_SUBSECTION: not known here.
        if reader.peek(1) == [0x05] { return nil }
        var msixVectors = 0
        if let msix = capabilities[0x11] {
            let control = Int(header[msix + 2]) | Int(header[msix + 3]) << 8  // bounded: bytes of an in-memory 256-byte header
            msixVectors = (control & 0x7ff) + 1  // bounded: at most 2048
            guard reader.skip(msixVectors * 16), reader.skip((msixVectors + 7) / 8), reader.skip(2) else { return nil }  // bounded: at most 2048 vectors
        }
        // virtio_save.
        guard reader.skip(1 + 1 + 2 + 4),  // bounded: constants (status, isr, queue_sel, features)
              let configLength = reader.be32(), configLength <= 4096, reader.skip(Int(configLength)),  // bounded: <= 4096
              let count = reader.be32(), count >= 1, count <= Self.maximumQueues
        else { return nil }
        var sizes: [UInt32] = []
        var offsets: [UInt64] = []
        for _ in 0..<count {
            let at = UInt64(reader.position)
            guard let size = reader.be32(), size > 0, size <= Self.maximumQueueSize, size & (size - 1) == 0,  // bounded: size > 0
                  reader.skip(8 + 2 + (msixVectors > 0 ? 2 : 0))  // bounded: constants
            else { return nil }
            sizes.append(size)
            offsets.append(base &+ at)  // bounded: base is a file offset, at a position in an in-memory array
        }
        self.section = section
        self.vmstateName = vmstateName
        self.queueSizes = sizes
        self.offsets = offsets
    }

    /// The PCI capability list of a 256-byte config header: capability id -> offset.
    static func capabilities(in header: [UInt8]) -> [UInt8: Int] {
        var found: [UInt8: Int] = [:]
        guard header.count >= 256, header[0x06] & 0x10 != 0 else { return found }
        var next = Int(header[0x34] & 0xfc)  // bounded: a byte
        var visited = 0
        while next >= 0x40, next < 0xff, visited < 48 {
            let id = header[next]
            if found[id] == nil { found[id] = next }
            next = Int(header[next + 1] & 0xfc)  // bounded: next < 0xff, header has 256 bytes
            visited += 1  // bounded: < 48
        }
        return found
    }

    /// A bounds-checked cursor over in-memory bytes.
    struct Reader {
        let bytes: [UInt8]
        var position = 0

        func peek(_ count: Int) -> [UInt8]? {
            guard count >= 0, count <= bytes.count - position else { return nil }  // bounded: position <= bytes.count
            return Array(bytes[position..<(position + count)])  // bounded: checked above
        }

        mutating func skip(_ count: Int) -> Bool {
            guard count >= 0, count <= bytes.count - position else { return false }  // bounded: position <= bytes.count
            position += count  // bounded: checked above
            return true
        }

        mutating func be32() -> UInt32? {
            guard let word = peek(4), let value = Endianness.big.integer(UInt32.self, in: Array(word), at: 0) else { return nil }
            position += 4  // bounded: peek checked 4 bytes
            return value
        }
    }
}
