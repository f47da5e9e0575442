/// The facts saveimg shows about a domain XML: identity, size, platform, CPU.
public struct DomainSummary: Hashable, Sendable {
    /// `<domain type=...>`, e.g. `qemu` or `kvm`.
    public var type: String?
    public var name: String?
    public var uuid: String?
    /// `<memory>` in KiB.
    public var memoryKiB: UInt64?
    /// `<currentMemory>` in KiB.
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
    public init(element: XMLElement) {
        self.element = element
        type = element[attribute: "type"]
        name = element.first("name")?.text
        uuid = element.first("uuid")?.text
        memoryKiB = element.first("memory").flatMap(Self.kibibytes)
        currentMemoryKiB = element.first("currentMemory").flatMap(Self.kibibytes)
        vcpus = element.first("vcpu").flatMap { UInt32($0.text) }
        arch = element.descendant("os", "type")?[attribute: "arch"]
        machine = element.descendant("os", "type")?[attribute: "machine"]
        cpu = element.first("cpu").map(CPUDefinition.init(element:))
    }

    /// Converts a libvirt scaled integer (`<memory unit='MiB'>32</memory>`) to KiB.
    /// Returns nil for values that do not parse or overflow.
    static func kibibytes(_ element: XMLElement) -> UInt64? {
        guard let value = UInt64(element.text) else { return nil }
        let unit = (element[attribute: "unit"] ?? "KiB").lowercased()
        let bytesPerUnit: UInt64
        switch unit {
        case "b", "bytes": bytesPerUnit = 1
        case "k", "kib": bytesPerUnit = 1 << 10
        case "kb": bytesPerUnit = 1000
        case "m", "mib": bytesPerUnit = 1 << 20
        case "mb": bytesPerUnit = 1_000_000
        case "g", "gib": bytesPerUnit = 1 << 30
        case "gb": bytesPerUnit = 1_000_000_000
        case "t", "tib": bytesPerUnit = 1 << 40
        case "tb": bytesPerUnit = 1_000_000_000_000
        default: return nil
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: bytesPerUnit)
        guard !overflow else { return nil }
        return (bytes + 1023) / 1024
    }
}
