/// The configuration section (`QEMU_VM_CONFIGURATION`, 0x07) at the start
/// of a QEMU migration stream: the machine type and the optional
/// subsections `configuration/target-page-bits`, `configuration/capabilities`
/// and `configuration/uuid` (QEMU migration/savevm.c, `vmstate_configuration`).
///
/// ```
/// 0x07 u32be(len) machine-type[len]
///   { 0x05 u8(len) name[len] u32be(version) payload }*
/// capabilities payload: u32be(count) { u8(len) name[len] }*
/// ```
///
/// The destination QEMU compares the capabilities list with its own for the
/// capabilities it validates (`x-ignore-shared`, and `mapped-ram` since
/// QEMU 9.0); an absent subsection means none of them. So a stream converted
/// to or from mapped-ram must have the list rewritten (``withCapability(_:present:)``).
public struct StreamConfiguration: Hashable, Sendable {
    /// One subsection with its payload as it was in the stream.
    public struct Subsection: Hashable, Sendable {
        public var name: String
        public var version: UInt32
        public var payload: [UInt8]
    }

    public var machineType: String
    public var subsections: [Subsection]

    static let capabilitiesName = "configuration/capabilities"
    static let subsectionOrder = ["configuration/target-page-bits", capabilitiesName, "configuration/uuid"]

    /// The capability names in the capabilities subsection (empty without one).
    public var capabilities: [String] {
        guard let payload = subsections.first(where: { $0.name == Self.capabilitiesName })?.payload,
              payload.count >= 4 else { return [] }
        var names: [String] = []
        var at = 4
        while at < payload.count {
            let length = Int(payload[at])  // bounded: in-memory payload bytes: every index compared with payload.count first; lengths are u8/u32 values widened to Int (64-bit)
            guard at + 1 + length <= payload.count else { break }  // bounded: in-memory payload bytes: every index compared with payload.count first; lengths are u8/u32 values widened to Int (64-bit)
            names.append(String(decoding: payload[(at + 1)..<(at + 1 + length)], as: UTF8.self))  // bounded: in-memory payload bytes: every index compared with payload.count first; lengths are u8/u32 values widened to Int (64-bit)
            at += 1 + length  // bounded: in-memory payload bytes: every index compared with payload.count first; lengths are u8/u32 values widened to Int (64-bit)
        }
        return names
    }

    /// Reads the section after its 0x07 byte from `cursor`.
    static func read(from cursor: StreamCursor) throws(SaveImageError) -> StreamConfiguration {
        let length = try cursor.u32("the machine type length")
        guard length > 0, length <= 256 else {
            throw SaveImageError(.badStream, path: "", offset: cursor.offset - 4, field: cursor.context,  // bounded: in-memory payload bytes: every index compared with payload.count first; lengths are u8/u32 values widened to Int (64-bit)
                                 expected: "a machine type length of 1...256", found: "\(length)")
        }
        let machine = String(decoding: try cursor.bytes(Int(length), "the machine type"), as: UTF8.self)  // bounded: in-memory payload bytes: every index compared with payload.count first; lengths are u8/u32 values widened to Int (64-bit)
        var subsections: [Subsection] = []
        while cursor.peek(1) == [0x05] {
            let offset = cursor.offset
            _ = try cursor.byte()
            let nameLength = try cursor.byte("a subsection name length")
            let name = String(decoding: try cursor.bytes(Int(nameLength), "a subsection name"), as: UTF8.self)  // bounded: in-memory payload bytes: every index compared with payload.count first; lengths are u8/u32 values widened to Int (64-bit)
            let version = try cursor.u32("a subsection version")
            var payload: [UInt8]
            switch name {
            case "configuration/target-page-bits": payload = try cursor.bytes(4, "target page bits")
            case "configuration/uuid": payload = try cursor.bytes(16, "the VM UUID")
            case capabilitiesName:
                payload = try cursor.bytes(4, "the capability count")
                let count = try ByteReader(payload, base: cursor.offset - 4).integer(at: 0, as: UInt32.self, .big, field: "the capability count")  // bounded: the cursor just read 4 bytes
                guard count <= 256 else {
                    throw SaveImageError(.badStream, path: "", offset: cursor.offset - 4, field: cursor.context,  // bounded: in-memory payload bytes: every index compared with payload.count first; lengths are u8/u32 values widened to Int (64-bit)
                                         expected: "at most 256 capabilities", found: "\(count)")
                }
                for _ in 0..<count {
                    let length = try cursor.byte("a capability name length")
                    payload.append(length)
                    payload += try cursor.bytes(Int(length), "a capability")  // bounded: in-memory payload bytes: every index compared with payload.count first; lengths are u8/u32 values widened to Int (64-bit)
                }
            default:
                throw SaveImageError(.badStream, path: "", offset: offset, field: cursor.context,
                                     expected: "a known configuration subsection", found: "'\(name)'")
            }
            subsections.append(Subsection(name: name, version: version, payload: payload))
        }
        return StreamConfiguration(machineType: machine, subsections: subsections)
    }

    /// This configuration with `capability` added to or removed from the
    /// capabilities list; the subsection is dropped when the list becomes
    /// empty and created (version 1, in QEMU's subsection order) when needed.
    public func withCapability(_ capability: String, present: Bool) -> StreamConfiguration {
        var names = capabilities.filter { $0 != capability }
        if present { names.append(capability) }
        var copy = self
        copy.subsections.removeAll { $0.name == Self.capabilitiesName }
        guard !names.isEmpty else { return copy }
        var payload = ByteWriter()
        payload.writeInteger(UInt32(truncatingIfNeeded: names.count), .big)
        for name in names {
            let bytes = Array(name.utf8.prefix(255))
            payload.writeInteger(UInt8(truncatingIfNeeded: bytes.count), .big)
            payload.writeBytes(bytes)
        }
        let old = subsections.first(where: { $0.name == Self.capabilitiesName })
        let subsection = Subsection(name: Self.capabilitiesName, version: old?.version ?? 1, payload: payload.bytes)
        let rank: (String) -> Int = { Self.subsectionOrder.firstIndex(of: $0) ?? Self.subsectionOrder.count }
        let at = copy.subsections.firstIndex { rank($0.name) > rank(Self.capabilitiesName) } ?? copy.subsections.count
        copy.subsections.insert(subsection, at: at)
        return copy
    }

    /// The section as QEMU writes it, from the 0x07 byte.
    public var encoded: [UInt8] {
        let machine = Array(machineType.utf8)
        var out = ByteWriter()
        out.writeInteger(0x07 as UInt8, .big)
        out.writeInteger(UInt32(truncatingIfNeeded: machine.count), .big)
        out.writeBytes(machine)
        for subsection in subsections {
            let name = Array(subsection.name.utf8.prefix(255))
            out.writeInteger(0x05 as UInt8, .big)
            out.writeInteger(UInt8(truncatingIfNeeded: name.count), .big)
            out.writeBytes(name)
            out.writeInteger(subsection.version, .big)
            out.writeBytes(subsection.payload)
        }
        return out.bytes
    }
}
