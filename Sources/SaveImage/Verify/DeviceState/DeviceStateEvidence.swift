/// Reads an image's device state evidence from the end of a raw or sparse
/// stream, a bounded number of bytes whatever the image's size: the VM
/// description QEMU writes last (found by ``StreamEvidence/tail(of:)``), and
/// the virtio sections before it, whose virtqueue sizes
/// (``VirtqueueSizes``) the description does not show.
///
/// A compressed stream gives nil (its end is only reached by decompressing
/// all of it).
public enum DeviceStateEvidence {
    /// How far before the VM description the device sections are looked for:
    /// they follow the last RAM page, and all of them (RAM blocks excluded) take
    /// a few hundred KiB even on a guest with a dozen devices.
    static let deviceWindow = 4 << 20

    /// The image's VM description, parsed; nil when the stream is compressed,
    /// cut, or its description does not parse.
    public static func savedDeviceStates(of image: SaveImage) -> SavedDeviceStates? {
        guard case .complete(let length, let eofOffset, _) = StreamEvidence.tail(of: image),
              let file = try? PositionalFile(openingForReading: image.path),
              let start = try? Checked.add(eofOffset, 6, Checked.Source(path: image.path, offset: eofOffset, field: "VM description")),
              let bytes = try? file.read(at: start, count: Int(length))  // bounded: a UInt32 length fits in Int on 64-bit
        else { return nil }
        return try? SavedDeviceStates(json: bytes, path: image.path, offset: start)
    }

    /// The virtqueue sizes of every virtio section of `states` (the sections
    /// whose description has a `virtio` field), read from the bytes before
    /// the VM description; sections not found or not parsed are left out.
    public static func virtqueueSizes(of image: SaveImage, states: SavedDeviceStates) -> [VirtqueueSizes] {
        let virtio = states.devices.filter { device in device.description?.fields.contains { $0.type == "virtio" } ?? false }
        guard !virtio.isEmpty, case .complete(_, let eofOffset, _) = StreamEvidence.tail(of: image),
              let file = try? PositionalFile(openingForReading: image.path) else { return [] }
        let available = eofOffset > image.streamOffset ? eofOffset - image.streamOffset : 0  // bounded: compared first
        let count = Int(min(UInt64(deviceWindow), available))
        let start = eofOffset - UInt64(count)  // bounded: count <= eofOffset - streamOffset
        guard count > 0, let window = try? file.read(at: start, count: count) else { return [] }
        var found: [VirtqueueSizes] = []
        for device in virtio {
            guard let name = device.description?.name,
                  let data = sectionData(in: window, section: device.section, instance: device.instance),
                  let sizes = VirtqueueSizes(section: device.section, vmstateName: name,
                                             data: Array(window[data...]), base: start + UInt64(data))  // bounded: data < count
            else { continue }
            found.append(sizes)
        }
        return found
    }

    /// Where a FULL section's data starts in `window`: the header is
    /// `0x04, be32 section id, u8 length, id string, be32 instance, be32 version`.
    static func sectionData(in window: [UInt8], section: String, instance: Int) -> Int? {
        let name = Array(section.utf8)
        guard !name.isEmpty, name.count < 256 else { return nil }
        var needle = [UInt8(name.count)] + name
        needle += withUnsafeBytes(of: UInt32(truncatingIfNeeded: instance).bigEndian, Array.init)
        // Search from the end: the device sections are the stream's last.
        var index = window.count - needle.count - 4  // bounded: in-memory sizes; negative skips the loop
        while index >= 5 {
            if window[index] == needle[0], window[index - 5] == 0x04,
               window[index..<(index + needle.count)].elementsEqual(needle) {  // bounded: index + needle.count <= window.count - 4
                return index + needle.count + 4  // bounded: <= window.count
            }
            index -= 1  // bounded: index >= 5
        }
        return nil
    }
}
