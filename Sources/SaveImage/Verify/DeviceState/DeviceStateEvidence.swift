/// Reads an image's device state evidence from the end of its stream: the
/// VM description QEMU writes last, and the virtio sections before it, whose
/// virtqueue sizes (``VirtqueueSizes``) the description does not show.
///
/// Raw and sparse streams: a bounded read at the end of the file (the
/// description found by ``StreamSource/tail()``, the device sections in
/// the ``deviceWindow`` bytes before it). Compressed streams: only with
/// `decompress` (the whole stream is decoded, keeping the last
/// ``deviceWindow`` + 1 MiB in memory), else nil.
public enum DeviceStateEvidence {
    /// How far before the VM description the device sections are looked for:
    /// they follow the last RAM page, and all of them (RAM blocks excluded) take
    /// a few hundred KiB even on a guest with a dozen devices.
    static let deviceWindow = 4 << 20
    /// The most VM description kept from a decoded stream (QEMU's are tens of KiB).
    static let descriptionLimit = 1 << 20

    /// The end of a stream: the bytes before and including the VM description.
    public struct Tail: Sendable {
        /// The bytes; `base` is the offset of `bytes[0]` (in the file for raw
        /// and sparse streams, in the decoded stream for compressed ones).
        public var bytes: [UInt8]
        /// The offset of `bytes[0]`.
        public var base: UInt64
        /// Where QEMU_VM_EOF is in `bytes`, and the JSON after it.
        public var eofIndex: Int
        /// The VM description's JSON in `bytes`.
        public var descriptionRange: Range<Int>
        /// `file offset` or `decoded stream offset`, for messages.
        public var offsetKind: String
    }

    /// The end of `image`'s stream, read through the image's own stream
    /// (``SaveImage/stream``); nil when it cannot be read (or is compressed
    /// and `decompress` is false).
    public static func tail(of image: SaveImage, decompress: Bool = false) -> Tail? {
        let stream = image.stream
        switch stream.format {
        case .raw, .sparse:
            guard case .complete(let length, let eofOffset, _) = stream.tail() else { return nil }
            let before = min(UInt64(deviceWindow), eofOffset > stream.offset ? eofOffset - stream.offset : 0)  // bounded: compared first
            let start = eofOffset - before  // bounded: before <= eofOffset - streamOffset
            let count = Int(before) + 6 + Int(length)  // bounded: before <= 4 MiB, length is a UInt32
            guard let bytes = try? stream.reader.read(at: start, count: count), bytes.count == count else { return nil }
            let eof = Int(before)  // bounded: <= 4 MiB
            return Tail(bytes: bytes, base: start, eofIndex: eof, descriptionRange: (eof + 6)..<count,  // bounded: eof + 6 <= count
                        offsetKind: "file offset")
        default:
            guard decompress else { return nil }
            return decodedTail(of: stream)
        }
    }

    /// Decodes the whole compressed stream (``StreamSource/read(decoding:keepMappedRAM:pages:layout:progress:_:)``), keeping its last bytes.
    static func decodedTail(of stream: StreamSource) -> Tail? {
        let keep = deviceWindow + descriptionLimit  // bounded: constants
        var kept: [UInt8] = []
        kept.reserveCapacity(2 * keep)  // bounded: constant
        var decoded: UInt64 = 0
        do throws(SaveImageError) {
            try stream.read(decoding: true) { (output) throws(SaveImageError) in
                kept.append(contentsOf: output)
                decoded &+= UInt64(output.count)  // bounded: a count of decoded bytes, far below 2^64
                if kept.count > 2 * keep { kept.removeFirst(kept.count - keep) }  // bounded: kept.count > keep
            }
        } catch {
            return nil
        }
        return tail(decoded: kept, base: decoded - UInt64(kept.count))  // bounded: kept.count <= decoded
    }

    /// The last decoded bytes of a compressed stream kept by the stream walk
    /// (``DeepCheck/run(image:keepingTail:progress:)``), as a tail; nil when
    /// they hold no VM description.
    public static func tail(decoded kept: [UInt8], base: UInt64) -> Tail? {
        guard let (eof, range) = StreamSource.locateDescription(in: kept) else { return nil }
        return Tail(bytes: kept, base: base, eofIndex: eof, descriptionRange: range, offsetKind: "decoded stream offset")
    }

    /// How many decoded bytes the stream walk keeps for ``tail(decoded:base:)``.
    public static var keptTailBytes: Int { deviceWindow + descriptionLimit }  // bounded: constants

    /// The image's VM description, parsed from `tail`.
    public static func savedDeviceStates(in tail: Tail, path: String = "") -> SavedDeviceStates? {
        let offset = tail.base &+ UInt64(tail.descriptionRange.lowerBound)  // bounded: an offset within the stream
        return try? SavedDeviceStates(json: Array(tail.bytes[tail.descriptionRange]), path: path, offset: offset)
    }

    /// The virtqueue sizes of every virtio section of `states` (the sections
    /// whose description has a `virtio` field), read from `tail`; sections
    /// not found or not parsed are left out.
    public static func virtqueueSizes(in tail: Tail, states: SavedDeviceStates) -> [VirtqueueSizes] {
        let window = Array(tail.bytes[..<tail.eofIndex])
        var found: [VirtqueueSizes] = []
        for device in states.devices {
            guard let description = device.description, description.fields.contains(where: { $0.type == "virtio" }),
                  let data = sectionData(in: window, section: device.section, instance: device.instance),
                  let sizes = VirtqueueSizes(section: device.section, vmstateName: description.name,
                                             data: Array(window[data...]), base: tail.base &+ UInt64(data))  // bounded: data < window.count
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
        var needle = [UInt8(name.count)] + name  // bounded: name.count < 256 (checked above); array concatenation
        needle.appendInteger(UInt32(truncatingIfNeeded: instance), .big)
        // Search from the end: the device sections are the stream's last.
        var index = window.count - needle.count - 4  // bounded: in-memory sizes; negative skips the loop
        while index >= 5 {
            if window[index] == needle[0], window[index - 5] == 0x04,  // bounded: index >= 5
               window[index..<(index + needle.count)].elementsEqual(needle) {  // bounded: index + needle.count <= window.count - 4
                return index + needle.count + 4  // bounded: <= window.count
            }
            index -= 1  // bounded: index >= 5
        }
        return nil
    }
}
