import FoundationEssentials

/// Everything `saveimg verify` uses about a target host, in one document
/// (`saveimg target capture > host.json` on the target, `verify --target
/// host.json` anywhere): libvirt's and QEMU's versions, `virsh capabilities`,
/// `virsh domcapabilities` per virt type and machine family, and the host CPU.
/// The XML documents are kept verbatim and parsed with the same readers as
/// `--capabilities` / `--domcapabilities`. Schema:
/// `schema/saveimg-output.schema.json#/$defs/target_capture`.
public struct TargetCapture: Codable, Hashable, Sendable {
    /// One `virsh domcapabilities --virttype T --arch A --machine M`.
    public struct DomainCapabilities: Codable, Hashable, Sendable {
        /// `qemu` (TCG) or `kvm`.
        public var virtType: String
        public var arch: String
        /// The machine family asked for (`pc`, `q35`), as virsh was given it.
        public var machine: String
        /// The XML virsh printed.
        public var xml: String

        enum CodingKeys: String, CodingKey { case virtType = "virt_type", arch, machine, xml }

        public init(virtType: String, arch: String, machine: String, xml: String) {
            self.virtType = virtType
            self.arch = arch
            self.machine = machine
            self.xml = xml
        }
    }

    /// `saveimg-target/1`.
    public var schema = TargetCapture.schemaName
    /// Where it was captured from (`virsh -c qemu:///system`, `qemu-system-x86_64 (no libvirt daemon)`).
    public var source: String
    /// The host's name, for reports.
    public var hostname: String?
    /// libvirt's version (`virsh version`: "Using library"); nil when no daemon answered.
    public var libvirtVersion: String?
    /// QEMU's version (`virsh version`: "Running hypervisor", or `qemu-system-* --version`).
    public var qemuVersion: String?
    /// `virsh capabilities` XML.
    public var capabilities: String?
    /// `virsh domcapabilities` per virt type, arch and machine family.
    public var domainCapabilities: [DomainCapabilities]
    /// Machine types by arch when no libvirt answered (`qemu-system-ARCH -machine help`).
    public var machines: [String: [String]]?
    /// The host CPU's flags (`/proc/cpuinfo`), binding KVM guests.
    public var cpuFlags: [String]?
    /// The target QEMU's `-dump-vmstate` for every versioned `pc-i440fx-*` /
    /// `pc-q35-*` machine type, deduplicated (``CapturedVMState``): what
    /// ``DeviceStateCompatibility`` compares each image's sections with.
    public var vmstate: CapturedVMState?
    /// The firmware files in the directories of the domcapabilities' loader
    /// paths (`/usr/share/OVMF`, `/usr/share/qemu` ...), with their sizes
    /// (symbolic links followed): what ``FirmwareCompatibility`` checks a
    /// saved loader, NVRAM template and flash block sizes against.
    public var firmwareFiles: [String: UInt64]?

    public static let schemaName = "saveimg-target/1"

    // Explicit keys: no key strategy, so that dictionary keys (`x86_64`, machine types) stay as they are.
    enum CodingKeys: String, CodingKey {
        case schema, source, hostname, libvirtVersion = "libvirt_version", qemuVersion = "qemu_version", capabilities
        case domainCapabilities = "domain_capabilities", machines, cpuFlags = "cpu_flags", vmstate
        case firmwareFiles = "firmware_files"
    }

    public init(source: String, hostname: String? = nil, libvirtVersion: String? = nil, qemuVersion: String? = nil,
                capabilities: String? = nil, domainCapabilities: [DomainCapabilities] = [],
                machines: [String: [String]]? = nil, cpuFlags: [String]? = nil) {
        self.source = source
        self.hostname = hostname
        self.libvirtVersion = libvirtVersion
        self.qemuVersion = qemuVersion
        self.capabilities = capabilities
        self.domainCapabilities = domainCapabilities
        self.machines = machines
        self.cpuFlags = cpuFlags
    }

    /// Every `<os><loader><value>` the captured domcapabilities list.
    public var loaderValues: [String] {
        var values: [String] = []
        for entry in domainCapabilities {
            guard let root = try? XMLParser.parse(Array(entry.xml.utf8), name: "domcapabilities") else { continue }
            for value in root.descendant("os", "loader")?.all("value").map(\.text) ?? [] where !values.contains(value) {
                values.append(value)
            }
        }
        return values
    }

    /// The libvirt version as a value.
    public var libvirt: LibvirtVersion? { libvirtVersion.flatMap(LibvirtVersion.init) }
    /// The QEMU version as a value.
    public var qemu: QEMUVersion? { qemuVersion.flatMap(LibvirtVersion.init) }

    /// The machine family `virsh domcapabilities --machine` takes for a machine type.
    public static func machineFamily(_ machine: String) -> String {
        if machine.hasPrefix("pc-q35") || machine == "q35" { return "q35" }
        if machine.hasPrefix("pc-i440fx") || machine == "pc" { return "pc" }
        return machine
    }

    /// The target as the verifier sees it for one guest: capabilities, plus
    /// the domcapabilities for its virt type, arch and machine family (that
    /// virt type's other families as a fallback), plus the CPU flags.
    public func host(domainType: String?, arch: String?, machine: String?) throws(SaveImageError) -> TargetHost? {
        let name = "target capture (\(hostname ?? source))"
        var host: TargetHost?
        let type = domainType ?? "qemu", archName = arch ?? "x86_64"
        let family = machine.map(Self.machineFamily)
        let candidates = domainCapabilities.filter { $0.virtType == type && $0.arch == archName }
        if let chosen = candidates.first(where: { $0.machine == family }) ?? candidates.first {
            host = try TargetHost(domainCapabilities: Array(chosen.xml.utf8),
                                  source: "\(name): domcapabilities \(chosen.virtType)/\(chosen.machine)")
        }
        if let capabilities {
            let caps = try TargetHost(capabilities: Array(capabilities.utf8), source: "\(name): capabilities")
            host = host.map { $0.merging(caps) } ?? caps
        } else if let machines {
            let listed = TargetHost(machineList: machines, cpuFlags: cpuFlags ?? [], source: "\(name): QEMU machine list")
            host = host.map { $0.merging(listed) } ?? listed
        }
        if let cpuFlags, host?.physicalCPU == nil, host?.physicalFeatures == nil {
            let flags = TargetHost(cpuinfo: "flags\t: " + cpuFlags.joined(separator: " "), source: "\(name): /proc/cpuinfo")
            host = host.map { $0.merging(flags) } ?? flags
        }
        return host
    }

    /// Reads a capture document.
    public init(json bytes: [UInt8], source path: String) throws(SaveImageError) {
        do {
            self = try JSONDecoder().decode(TargetCapture.self, from: Data(bytes))
        } catch {
            throw SaveImageError(.unexpectedXML, path: path, field: "target capture",
                                 expected: "a \(Self.schemaName) JSON document (saveimg target capture)", found: DecodingFailure.describe(error))
        }
        guard schema == Self.schemaName else {
            throw SaveImageError(.unexpectedXML, path: path, field: "schema", expected: Self.schemaName, found: schema)
        }
    }

    /// The document as one line of JSON (keys sorted).
    public func json() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return [UInt8](try encoder.encode(self))
    }
}
