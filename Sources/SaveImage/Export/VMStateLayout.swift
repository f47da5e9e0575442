import FoundationEssentials

/// One device's state as the VM description JSON at the end of the stream
/// describes it (QEMU `migration/savevm.c` writes it, `vmstate_save_state`
/// fills in each field's `size` as the bytes it wrote): what lets a reader
/// find a field's bytes in the device's section without knowing QEMU's
/// version.
public struct VMStateDevice: Hashable, Sendable {
    /// The section's idstr ("cpu", "0000:00:00.0/I440FX").
    public var name: String
    /// The section's instance id (the vCPU index for `cpu`).
    public var instanceID: UInt32
    /// The device's top-level fields, in stream order.
    public var fields: [VMStateField]
}

/// A field of a device's state: `size` bytes per element, `count` elements
/// (`array_len`, 1 when absent), `fields` for a struct's members.
public struct VMStateField: Hashable, Sendable {
    public var name: String
    public var type: String
    public var size: UInt64
    public var count: UInt64
    /// The element this entry is, when QEMU listed an array element by element (`index`).
    public var index: UInt64?
    public var fields: [VMStateField]
}

/// One step of a path through the fields: a name and, for arrays, an element.
public struct VMStatePathStep: Hashable, Sendable {
    public var name: String
    public var element: UInt64
    public init(_ name: String, element: UInt64 = 0) {
        self.name = name
        self.element = element
    }
}

extension VMStateDevice {
    /// The devices of a VM description JSON document (the `devices` array).
    /// Throws `bad_stream` naming `offset` (the JSON's raw-stream offset) when it is not JSON of that shape.
    public static func devices(json: [UInt8], offset: UInt64?) throws(SaveImageError) -> [VMStateDevice] {
        struct RawField: Decodable {
            var name: String?
            var type: String?
            var size: UInt64?
            var array_len: UInt64?
            var index: UInt64?
            var `struct`: RawStruct?
            var fields: [RawField]?
        }
        struct RawStruct: Decodable { var fields: [RawField]? }
        struct RawDevice: Decodable {
            var name: String
            var instance_id: UInt32?
            var fields: [RawField]?
        }
        struct Raw: Decodable { var devices: [RawDevice]? }
        func convert(_ raw: [RawField]?) -> [VMStateField] {
            (raw ?? []).map { field in
                VMStateField(name: field.name ?? "", type: field.type ?? "", size: field.size ?? 0,
                             count: field.array_len ?? 1, index: field.index, fields: convert(field.struct?.fields ?? field.fields))
            }
        }
        do {
            let raw = try JSONDecoder().decode(Raw.self, from: Data(json))
            return (raw.devices ?? []).map {
                VMStateDevice(name: $0.name, instanceID: $0.instance_id ?? 0, fields: convert($0.fields))
            }
        } catch {
            throw SaveImageError(.badStream, path: "", offset: offset, field: "VM description",
                                 expected: "JSON with a devices array", found: DecodingFailure.describe(error))
        }
    }

    /// Offset and size of the field at `path` in this device's state bytes
    /// (the section's data after its header); nil when a step is not there.
    /// Sizes are the description's, so offsets follow what this QEMU wrote.
    public func locate(_ path: [VMStatePathStep]) throws(SaveImageError) -> (offset: UInt64, size: UInt64)? {
        var fields = self.fields
        var base: UInt64 = 0
        for (depth, step) in path.enumerated() {
            var offset = base
            var found: VMStateField?
            for field in fields {
                if field.name == step.name, field.index == nil || field.index == step.element {
                    found = field
                    break
                }
                let span = try Checked.multiply(field.size, field.count, source(step.name))
                offset = try Checked.add(offset, span, source(step.name))
            }
            guard let field = found else { return nil }
            if field.index == nil {
                guard step.element < field.count else { return nil }
                offset = try Checked.add(offset, try Checked.multiply(field.size, step.element, source(step.name)), source(step.name))
            }
            if depth == path.count - 1 { return (offset, field.size) }  // bounded: path.count >= 1 inside the loop
            fields = field.fields
            base = offset
        }
        return nil
    }

    /// The big-endian unsigned value of the field at `path` in `state`
    /// (1, 2, 4 or 8 bytes); nil when the description has no such field.
    public func unsigned(_ path: [VMStatePathStep], in state: [UInt8]) throws(SaveImageError) -> UInt64? {
        guard let (offset, size) = try locate(path) else { return nil }
        guard [1, 2, 4, 8].contains(size) else {
            throw SaveImageError(.badStream, path: "", offset: nil, field: "\(name) \(describe(path))",
                                 expected: "a field of 1, 2, 4 or 8 bytes", found: "\(size) bytes")
        }
        let end = try Checked.add(offset, size, source(describe(path)))
        guard end <= UInt64(state.count) else {
            throw SaveImageError(.badStream, path: "", offset: offset, field: "\(name) \(describe(path))",
                                 expected: "the field within the section's \(state.count) bytes",
                                 found: "bytes \(offset)..<\(end)")
        }
        let start = try Checked.int(offset, source(describe(path)))
        return Endianness.big.unsigned(state[start..<(start + Int(size))]) ?? 0  // bounded: end <= state.count checked above; size <= 8 (a scalar field)
    }

    /// The bytes of the field at `path` in `state`; nil when absent or outside `state`.
    public func bytes(_ path: [VMStatePathStep], in state: [UInt8]) throws(SaveImageError) -> [UInt8]? {
        guard let (offset, size) = try locate(path) else { return nil }
        let end = try Checked.add(offset, size, source(describe(path)))
        guard end <= UInt64(state.count) else { return nil }
        return Array(state[try Checked.int(offset, source("offset"))..<(try Checked.int(end, source("end")))])
    }

    /// The first field named `name` anywhere in the tree (depth first), as a path.
    public func path(toFirst name: String) -> [VMStatePathStep]? {
        func search(_ fields: [VMStateField]) -> [VMStatePathStep]? {
            for field in fields {
                if field.name == name { return [VMStatePathStep(field.name)] }
                if let rest = search(field.fields) { return [VMStatePathStep(field.name)] + rest }  // bounded: array concatenation
            }
            return nil
        }
        return search(fields)
    }

    private func describe(_ path: [VMStatePathStep]) -> String {
        path.map { $0.element == 0 ? $0.name : "\($0.name)[\($0.element)]" }.joined(separator: ".")
    }

    private func source(_ field: String) -> Checked.Source {
        Checked.Source(path: "", offset: nil, field: "VM description of \(name): " + field)
    }
}
