/// A target QEMU's `-dump-vmstate` for every machine type, as a target
/// capture stores it (`vmstate` member of `saveimg-target/1`): each distinct
/// vmstate description once (``descriptions``), each distinct dump once as
/// the list of its descriptions (``sets``), and per machine type the dump it
/// gave (``machines``). One QEMU build prints the same descriptions for
/// nearly all its machine types, so 40-60 dumps of 0.8-0.9 MB each shrink to
/// one pool of a few hundred KB. Only what ``DeviceStateCompatibility``
/// compares is kept: names, versions, field sizes and conditions, nesting.
public struct CapturedVMState: Codable, Hashable, Sendable {
    /// Every distinct description (a device class's top-level vmstate).
    public var descriptions: [TargetVMStateDump.Description]
    /// Each distinct dump: indexes into ``descriptions``.
    public var sets: [[Int]]
    /// Machine type (`pc-q35-10.0`) -> index into ``sets``.
    public var machines: [String: Int]

    /// An empty store.
    public init() {
        descriptions = []
        sets = []
        machines = [:]
    }

    /// Adds one machine type's dump, sharing descriptions and sets already held.
    public mutating func add(_ dump: TargetVMStateDump, machine: String) {
        var pool: [TargetVMStateDump.Description: Int] = [:]
        for (index, description) in descriptions.enumerated() { pool[description] = index }
        var set: [Int] = []
        for name in dump.descriptions.keys.sorted() {
            guard let description = dump.descriptions[name] else { continue }
            if let index = pool[description] {
                set.append(index)
            } else {
                pool[description] = descriptions.count
                set.append(descriptions.count)
                descriptions.append(description)
            }
        }
        if let existing = sets.firstIndex(of: set) {
            machines[machine] = existing
        } else {
            machines[machine] = sets.count
            sets.append(set)
        }
    }

    /// The dump for exactly `machine`; nil when it was not captured (or an
    /// index is out of range: a hand-edited capture).
    public func dump(exactly machine: String) -> TargetVMStateDump? {
        guard let index = machines[machine], sets.indices.contains(index) else { return nil }
        var found: [String: TargetVMStateDump.Description] = [:]
        for member in sets[index] where descriptions.indices.contains(member) {
            let description = descriptions[member]
            if found[description.name] == nil { found[description.name] = description }
        }
        return TargetVMStateDump(machineType: machine, descriptions: found)
    }
}

// The compact JSON form: defaults (version 0, not conditional, no fields) left out.
extension TargetVMStateDump.Description: Codable {
    enum CodingKeys: String, CodingKey { case name, version, minimumVersion = "min", fields, subsections }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name),
                  version: try c.decodeIfPresent(Int.self, forKey: .version) ?? 0,
                  minimumVersion: try c.decodeIfPresent(Int.self, forKey: .minimumVersion) ?? 0,
                  fields: try c.decodeIfPresent([TargetVMStateDump.Field].self, forKey: .fields) ?? [],
                  subsections: try c.decodeIfPresent([TargetVMStateDump.Description].self, forKey: .subsections) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        if version != 0 { try c.encode(version, forKey: .version) }
        if minimumVersion != 0 { try c.encode(minimumVersion, forKey: .minimumVersion) }
        if !fields.isEmpty { try c.encode(fields, forKey: .fields) }
        if !subsections.isEmpty { try c.encode(subsections, forKey: .subsections) }
    }
}

extension TargetVMStateDump.Field: Codable {
    enum CodingKeys: String, CodingKey { case name, version, conditional = "exists", size, structure = "struct" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name),
                  version: try c.decodeIfPresent(Int.self, forKey: .version) ?? 0,
                  conditional: try c.decodeIfPresent(Bool.self, forKey: .conditional) ?? false,
                  size: try c.decodeIfPresent(Int.self, forKey: .size) ?? 0,
                  structure: try c.decodeIfPresent(TargetVMStateDump.Description.self, forKey: .structure))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        if version != 0 { try c.encode(version, forKey: .version) }
        if conditional { try c.encode(true, forKey: .conditional) }
        if size != 0 { try c.encode(size, forKey: .size) }
        if let structure { try c.encode(structure, forKey: .structure) }
    }
}
