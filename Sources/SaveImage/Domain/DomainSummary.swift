/// The facts saveimg shows about a domain XML: identity, size, platform, CPU.
public struct DomainSummary: Hashable, Sendable {
    /// `<domain type=...>`, e.g. `qemu` or `kvm`.
    public var type: String?
    public var name: String?
    public var uuid: String?
    /// `<memory>` in KiB.
    public var memoryKiB: UInt64?
    /// `<currentMemory>` in KiB as libvirt reads it: `<memory>` when it is
    /// absent, empty, 0 or larger than `<memory>`.
    public var currentMemoryKiB: UInt64?
    /// `<vcpu>` count.
    public var vcpus: UInt32?
    /// `<os><type arch=...>`.
    public var arch: String?
    /// `<os><type machine=...>`, e.g. `pc-i440fx-7.2`.
    public var machine: String?
    /// `<cpu>`, if the domain has one.
    public var cpu: CPUDefinition?
    /// The whole `<domain>` element.
    public var element: XMLElement

    /// Reads the summary from a parsed `<domain>` element.
    ///
    /// Throws where libvirt's domain parser refuses a value (`<memory>`,
    /// `<currentMemory>`, `<vcpu>`), with libvirt's message; `path` and
    /// `offset` (the domain XML's file offset) name where it was read.
    public init(element: XMLElement, path: String = "", offset: UInt64? = nil) throws(SaveImageError) {
        self.element = element
        type = element[attribute: "type"]
        name = element.first("name")?.text
        uuid = element.first("uuid")?.text
        memoryKiB = try element.first("memory").map { e throws(SaveImageError) in
            try Self.kibibytes(e, Checked.Source(path: path, offset: offset, field: "domain XML <memory>"))
        }
        // libvirt treats an empty <currentMemory> as absent, and a current size of
        // 0 or above <memory> as <memory> (virDomainDefPostParseMemory); measured on 9.0.
        let current = try element.first("currentMemory").flatMap { e throws(SaveImageError) -> UInt64? in
            Self.rawText(e).isEmpty ? nil
                : try Self.kibibytes(e, Checked.Source(path: path, offset: offset, field: "domain XML <currentMemory>"))
        }
        if let memory = memoryKiB, current == nil || current == 0 || current.map({ $0 > memory }) == true {
            currentMemoryKiB = memory
        } else {
            currentMemoryKiB = current
        }
        vcpus = try element.first("vcpu").map { e throws(SaveImageError) in
            try Self.vcpuCount(e, Checked.Source(path: path, offset: offset, field: "domain XML <vcpu>"))
        }
        arch = element.descendant("os", "type")?[attribute: "arch"]
        machine = element.descendant("os", "type")?[attribute: "machine"]
        cpu = element.first("cpu").map(CPUDefinition.init(element:))
    }

    /// An element's text as libvirt's XPath `string()` reads it: untrimmed
    /// (libvirt's `strtoull` skips leading white space but refuses trailing).
    static func rawText(_ element: XMLElement) -> String {
        element.children.map { child -> String in
            switch child {
            case .text(let text): text
            case .element(let inner): rawText(inner)
            }
        }.joined()
    }

    /// A value for a message: as is up to 40 bytes, else its start and its
    /// length (libvirt would print all of a 10^6-digit value; saveimg does not).
    static func shown(_ text: String) -> String {
        text.utf8.count <= 40 ? text : String(text.prefix(40)) + "... (\(text.utf8.count) bytes)"
    }

    /// The largest memory size libvirt accepts, in bytes (`virMemoryMaxValue`: LLONG_MAX).
    static let maximumMemoryBytes = UInt64(Int64.max)

    /// Converts a libvirt scaled integer (`<memory unit='MiB'>32</memory>`) to
    /// KiB as libvirt's `virDomainParseMemory` does: `virScaleInteger`'s units
    /// (b/bytes, k/KiB/KB ... e/EiB/EB, case-insensitive; KiB when absent or
    /// empty), a limit of LLONG_MAX bytes, rounded up to whole KiB, which
    /// must stay below 2^53. Messages are libvirt 9.0's, measured.
    static func kibibytes(_ element: XMLElement, _ source: Checked.Source) throws(SaveImageError) -> UInt64 {
        let xpath = "./\(element.name)[1]"
        let text = rawText(element)
        if text.isEmpty, element.name == "memory" {
            throw SaveImageError(.valueOutOfRange, path: source.path, offset: source.offset, field: source.field,
                                 expected: "a memory size", found: "an empty element",
                                 libvirtMessage: "Memory size must be specified via <memory> or in the <numa> configuration")
        }
        let value: UInt64
        do { value = try Checked.unsignedDecimal(text, source) } catch {
            throw SaveImageError(.valueOutOfRange, path: source.path, offset: source.offset, field: source.field,
                                 expected: error.expected, found: error.found,
                                 libvirtMessage: "Invalid value '\(shown(text))' for element or attribute '\(xpath)'")
        }
        let unit = element[attribute: "unit"] ?? ""
        guard let scale = scaleFactor(unit) else {
            throw SaveImageError(.valueOutOfRange, path: source.path, offset: source.offset, field: source.field + " unit",
                                 expected: "one of b, bytes, KiB, KB, MiB, MB, GiB, GB, TiB, TB, PiB, PB, EiB, EB",
                                 found: "'\(shown(unit))'", libvirtMessage: "unknown suffix '\(shown(unit))'")
        }
        let limit = maximumMemoryBytes
        guard value <= limit / scale else {
            throw SaveImageError(.valueOutOfRange, path: source.path, offset: source.offset, field: source.field,
                                 expected: "at most \(limit) bytes", found: "\(value) \(unit.isEmpty ? "KiB" : unit)",
                                 libvirtMessage: "value too large: \(value)\(unit.isEmpty ? "KiB" : unit)")
        }
        let bytes = value * scale  // value <= limit / scale: no overflow  // bounded: value <= limit / scale (checked above)
        let kib = bytes / 1024 + (bytes % 1024 == 0 ? 0 : 1)  // bounded: bytes / 1024 + 1 < 2^54
        guard kib < 1 << 53 else {
            throw SaveImageError(.valueOutOfRange, path: source.path, offset: source.offset, field: source.field,
                                 expected: "less than 2^53 KiB", found: "\(kib) KiB", libvirtMessage: "size value too large")
        }
        if kib == 0, element.name == "memory" {
            throw SaveImageError(.valueOutOfRange, path: source.path, offset: source.offset, field: source.field,
                                 expected: "a memory size above 0", found: "0",
                                 libvirtMessage: "Memory size must be specified via <memory> or in the <numa> configuration")
        }
        return kib
    }

    /// Bytes per unit for libvirt's `virScaleInteger` suffixes; nil when unknown.
    static func scaleFactor(_ unit: String) -> UInt64? {
        let lower = unit.lowercased()
        if lower == "b" || lower == "byte" || lower == "bytes" { return 1 }
        guard let first = lower.first else { return 1 << 10 }
        let rest = lower.dropFirst()
        let power: UInt64
        switch first {
        case "k": power = 1
        case "m": power = 2
        case "g": power = 3
        case "t": power = 4
        case "p": power = 5
        case "e": power = 6
        default: return nil
        }
        let base: UInt64
        switch rest {
        case "", "ib": base = 1024
        case "b": base = 1000
        default: return nil
        }
        var scale: UInt64 = 1
        for _ in 0..<power { scale *= base }  // at most 1024^6 = 2^60: no overflow  // bounded: at most 1024^6 = 2^60
        return scale
    }

    /// `<vcpu>` as libvirt 9.0's `virXPathUInt` reads it (`strtoul`, so `-1`
    /// is 4294967295), with what libvirt 9.0 was measured to do.
    static func vcpuCount(_ element: XMLElement, _ source: Checked.Source) throws(SaveImageError) -> UInt32 {
        let refusal = "maximum vcpus count must be an integer"
        let raw = rawText(element)
        var text = Substring(raw).drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        let negative = text.first == "-"
        if negative { text = text.dropFirst() }
        let magnitude: UInt64
        do { magnitude = try Checked.unsignedDecimal(String(text), source) } catch {
            throw SaveImageError(.valueOutOfRange, path: source.path, offset: source.offset, field: source.field,
                                 expected: error.expected, found: error.found, libvirtMessage: refusal)
        }
        guard magnitude <= UInt64(UInt32.max) else {
            throw SaveImageError(.valueOutOfRange, path: source.path, offset: source.offset, field: source.field,
                                 expected: "at most \(UInt32.max)", found: "'\(shown(raw))'", libvirtMessage: refusal)
        }
        let value = negative ? UInt32(truncatingIfNeeded: 0 &- magnitude) : UInt32(magnitude)  // bounded: magnitude <= UInt32.max (checked above); -1 is 4294967295 as libvirt's strtoul reads it
        if value == 0 {
            throw SaveImageError(.valueOutOfRange, path: source.path, offset: source.offset, field: source.field,
                                 expected: "at least 1 vCPU", found: "0",
                                 libvirtMessage: "CPU IDs in <numa> exceed the <vcpu> count")
        }
        if value >= 1 << 31 {
            throw SaveImageError(.valueOutOfRange, path: source.path, offset: source.offset, field: source.field,
                                 expected: "a vCPU count below 2^31", found: "'\(shown(raw))' (\(value))",
                                 libvirtMessage: "libvirtd 9.0 crashes or hangs reading this image (connection lost)")
        }
        return value
    }
}
