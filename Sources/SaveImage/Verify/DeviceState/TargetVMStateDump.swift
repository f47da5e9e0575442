import FoundationEssentials

/// What a target QEMU can load, per device: the JSON QEMU prints with
/// `qemu-system-x86_64 -machine TYPE -dump-vmstate FILE` (migration/savevm.c,
/// the input of QEMU's `scripts/vmstate-static-checker.py`). One entry per
/// device class with a vmstate: its vmstate description (name, `version_id`,
/// `minimum_version_id`, fields with the version they appeared in and their
/// element size, nested descriptions and subsections).
///
/// The dump is per QEMU build and machine type, and lists device classes,
/// not the non-device savevm handlers (`ram`, `timer`, `cpu_common` in some
/// builds ...): a section the dump does not name is not judged.
public struct TargetVMStateDump: Hashable, Sendable {
    /// One vmstate description as the dump prints it.
    public struct Description: Hashable, Sendable {
        /// The vmstate name, e.g. `virtio-blk`.
        public var name: String
        /// `version_id`: the newest version it loads.
        public var version: Int
        /// `minimum_version_id`: the oldest version it loads.
        public var minimumVersion: Int
        /// The fields, in wire order.
        public var fields: [Field]
        /// The subsections it knows.
        public var subsections: [Description]
    }

    /// One field as the dump prints it.
    public struct Field: Hashable, Sendable {
        /// The field's name.
        public var name: String
        /// The section version the field appeared in (0: always there).
        public var version: Int
        /// Whether the field is conditional (a `field_exists` test).
        public var conditional: Bool
        /// Size of one element in bytes.
        public var size: Int
        /// The nested description of a structure field.
        public var structure: Description?
    }

    /// The machine type the dump was made for (`vmschkmachine`).
    public var machineType: String?
    /// Every device class's description, keyed by its vmstate name (several
    /// classes can share one: the first wins, they describe the same vmstate).
    public var descriptions: [String: Description]
    /// The device class names per vmstate name, for messages.
    public var classes: [String: [String]]

    /// A dump from its parts (a target capture's compact form, ``CapturedVMState``).
    public init(machineType: String?, descriptions: [String: Description], classes: [String: [String]] = [:]) {
        self.machineType = machineType
        self.descriptions = descriptions
        self.classes = classes
    }

    /// Parses the dump's JSON; `path` only names the file in an error.
    public init(json: [UInt8], path: String = "") throws(SaveImageError) {
        let raw: [String: RawEntry]
        do {
            raw = try JSONDecoder().decode([String: RawEntry].self, from: Data(json))
        } catch {
            throw SaveImageError(.badStream, path: path, offset: nil, field: "vmstate dump",
                                 expected: "the JSON of `qemu-system-x86_64 -dump-vmstate` (an object of device classes)",
                                 found: DecodingFailure.describe(error))
        }
        var descriptions: [String: Description] = [:]
        var classes: [String: [String]] = [:]
        var machine: String?
        for key in raw.keys.sorted() {
            guard let entry = raw[key] else { continue }
            if key == "vmschkmachine" { machine = entry.Name; continue }
            guard let description = entry.Description else { continue }
            let parsed = try Self.description(description, depth: 0, path: path, device: key)
            if descriptions[parsed.name] == nil { descriptions[parsed.name] = parsed }
            classes[parsed.name, default: []].append(key)
        }
        self.machineType = machine
        self.descriptions = descriptions
        self.classes = classes
    }

    static func description(_ raw: RawDescription, depth: Int, path: String, device: String) throws(SaveImageError) -> Description {
        guard depth < SavedDeviceStates.maximumDepth else {
            throw SaveImageError(.badStream, path: path, offset: nil, field: "vmstate dump, device \(device)",
                                 expected: "descriptions nested at most \(SavedDeviceStates.maximumDepth) deep",
                                 found: "deeper nesting at \(raw.name)")
        }
        let next = depth + 1  // bounded: depth < maximumDepth
        var fields: [Field] = []
        for field in raw.Fields ?? [] {
            let nested = try field.Description.map { (inner: RawDescription) throws(SaveImageError) -> Description in
                try description(inner, depth: next, path: path, device: device)
            }
            fields.append(Field(name: field.field, version: field.version_id ?? 0, conditional: field.field_exists ?? false,
                                size: field.size ?? 0, structure: nested))
        }
        var subsections: [Description] = []
        for subsection in raw.Subsections ?? [] {
            subsections.append(try description(subsection, depth: next, path: path, device: device))
        }
        return Description(name: raw.name, version: raw.version_id ?? 0, minimumVersion: raw.minimum_version_id ?? 0,
                           fields: fields, subsections: subsections)
    }

    struct RawEntry: Decodable {
        var Name: String?
        var Description: RawDescription?
    }

    final class RawDescription: Decodable {
        var name: String
        var version_id: Int?
        var minimum_version_id: Int?
        var Fields: [RawField]?
        var Subsections: [RawDescription]?
    }

    struct RawField: Decodable {
        var field: String
        var version_id: Int?
        var field_exists: Bool?
        var size: Int?
        var Description: RawDescription?
    }
}
