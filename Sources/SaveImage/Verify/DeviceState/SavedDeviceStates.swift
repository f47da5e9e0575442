import FoundationEssentials

/// The layout of every device section an image's migration stream holds, as
/// the VM description at the stream's end (QEMU_VM_EOF, `0x06`, be32 length,
/// JSON) records it: per section its vmstate name and version, its fields
/// (name, type, element size, array length, nested structures) and the
/// subsections QEMU sent. This is what the target QEMU must be able to load;
/// ``DeviceStateCompatibility`` compares it with the target's
/// `-dump-vmstate` (``TargetVMStateDump``).
///
/// A pure parser of the JSON bytes: no file access, no stream walking.
public struct SavedDeviceStates: Hashable, Sendable {
    /// One vmstate description (a section's top level, a nested structure or a subsection).
    public struct Description: Hashable, Sendable {
        /// The vmstate name (`vmsd_name`), e.g. `virtio-blk`, `cpu`, `PIIX3`.
        public var name: String
        /// The version the description was written at.
        public var version: Int
        /// The fields as written, in order (an array of structures once per element).
        public var fields: [Field]
        /// Subsections QEMU sent (only those whose `needed` said yes).
        public var subsections: [Description]
    }

    /// One field of a description.
    public struct Field: Hashable, Sendable {
        /// The field's name, e.g. `regs`, `parent_obj`.
        public var name: String
        /// QEMU's type name (`uint32`, `buffer`, `virtio`, `struct` ...).
        public var type: String
        /// Size of one element in bytes, as written.
        public var size: Int
        /// Number of elements for an array field.
        public var arrayLength: Int?
        /// The nested description of a `struct` field.
        public var structure: Description?
    }

    /// One section of the stream.
    public struct Device: Hashable, Sendable {
        /// The section's id string, e.g. `0000:00:04.0/virtio-blk`, `cpu`.
        public var section: String
        /// The instance id (two vCPUs: `cpu` instances 0 and 1).
        public var instance: Int
        /// Nil for sections written without a vmstate description (`ram`,
        /// `slirp`, old-style savevm handlers).
        public var description: Description?
    }

    /// QEMU's target page size (4096 on x86).
    public var pageSize: Int?
    /// Every section the description lists, in stream order.
    public var devices: [Device]

    /// Parses the VM description's JSON; `offset` (of the JSON in the stream
    /// or file) and `path` only name the place in an error.
    public init(json: [UInt8], path: String = "", offset: UInt64? = nil) throws(SaveImageError) {
        let raw: RawDescriptionFile
        do {
            raw = try JSONDecoder().decode(RawDescriptionFile.self, from: Data(json))
        } catch {
            throw SaveImageError(.badStream, path: path, offset: offset, field: "VM description",
                                 expected: "QEMU's VM description JSON (page_size, devices[name, instance_id, vmsd_name, version, fields])",
                                 found: DecodingFailure.describe(error))
        }
        pageSize = raw.page_size
        var devices: [Device] = []
        for entry in raw.devices ?? [] {
            let description = try entry.vmsd_name.map { (name: String) throws(SaveImageError) -> Description in
                try Self.description(name: name, version: entry.version, fields: entry.fields, subsections: entry.subsections,
                                     depth: 0, path: path, offset: offset, section: entry.name)
            }
            devices.append(Device(section: entry.name, instance: entry.instance_id ?? 0, description: description))
        }
        self.devices = devices
    }

    /// The sections of a device whose vmstate name is `name`.
    public func devices(named name: String) -> [Device] { devices.filter { $0.description?.name == name } }

    /// QEMU nests structures a few levels deep; a description nested deeper than this is refused.
    static let maximumDepth = 32

    static func description(name: String, version: Int?, fields: [RawField]?, subsections: [RawDescription]?, depth: Int,
                            path: String, offset: UInt64?, section: String) throws(SaveImageError) -> Description {
        guard depth < maximumDepth else {
            throw SaveImageError(.badStream, path: path, offset: offset, field: "VM description of section \(section)",
                                 expected: "structures nested at most \(maximumDepth) deep", found: "deeper nesting at \(name)")
        }
        let next = depth + 1  // bounded: depth < maximumDepth
        var parsedFields: [Field] = []
        for field in fields ?? [] {
            guard field.size >= 0, (field.array_len ?? 0) >= 0 else {
                throw SaveImageError(.badStream, path: path, offset: offset, field: "VM description of section \(section), field \(field.name)",
                                     expected: "a size and array length of at least 0",
                                     found: "size \(field.size), array_len \(field.array_len.map(String.init) ?? "none")")
            }
            let structure = try field.struct.map { (nested: RawDescription) throws(SaveImageError) -> Description in
                try description(name: nested.vmsd_name, version: nested.version, fields: nested.fields,
                                subsections: nested.subsections, depth: next, path: path, offset: offset, section: section)
            }
            parsedFields.append(Field(name: field.name, type: field.type ?? "", size: field.size,
                                      arrayLength: field.array_len, structure: structure))
        }
        var parsedSubsections: [Description] = []
        for subsection in subsections ?? [] {
            parsedSubsections.append(try description(name: subsection.vmsd_name, version: subsection.version,
                                                     fields: subsection.fields, subsections: subsection.subsections,
                                                     depth: next, path: path, offset: offset, section: section))
        }
        return Description(name: name, version: version ?? 0, fields: parsedFields, subsections: parsedSubsections)
    }

    // The JSON as QEMU writes it (migration/vmstate.c: vmsd_desc_field_start/end, vmstate_save_state_v).
    struct RawDescriptionFile: Decodable {
        var page_size: Int?
        var devices: [RawDevice]?
    }

    struct RawDevice: Decodable {
        var name: String
        var instance_id: Int?
        var vmsd_name: String?
        var version: Int?
        var fields: [RawField]?
        var subsections: [RawDescription]?
    }

    final class RawDescription: Decodable {
        var vmsd_name: String
        var version: Int?
        var fields: [RawField]?
        var subsections: [RawDescription]?
    }

    struct RawField: Decodable {
        var name: String
        var type: String?
        var size: Int
        var array_len: Int?
        var `struct`: RawDescription?
    }
}
