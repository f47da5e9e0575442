/// What a target host offers a guest, as libvirt sees it, read from the
/// descriptions an operator has: `virsh domcapabilities` (the CPU libvirt
/// compares guest CPUs with for that virt type: host-model, usable custom
/// models; the default machine and emulator), `virsh capabilities` (every
/// machine type each emulator knows; the physical host CPU) and this machine's
/// `/proc/cpuinfo`. Any combination may be given; ``merging(_:)`` joins them.
///
/// A value: built by its parsers (`TargetHost+DomainCapabilities.swift`,
/// `+Capabilities`, `+CPUInfo`, `+ModelAdditions`) or ``init(source:hostModel:hostModelVirtType:hostModelSource:physicalCPU:physicalFeatures:physicalSource:machines:completeMachineList:deprecatedMachines:machineAliases:emulators:loaderValues:domainCapabilitiesMachine:supportedCPUModes:customModels:modelAdditions:)``,
/// changed only into a new value (``merging(_:)``, ``withModelAdditions(_:)``);
/// the CPU arithmetic is in `TargetHost+CPU.swift`.
public struct TargetHost: Hashable, Sendable {
    /// Where the facts come from, for reports (`a.xml + b.xml`).
    public let source: String
    /// domcapabilities' host-model CPU and its `<domain>` (virt type: `qemu` = TCG, `kvm`).
    public let hostModel: CPUDefinition?
    public let hostModelVirtType: String?
    /// Where the host-model came from (the domcapabilities file).
    public let hostModelSource: String?
    /// The physical host CPU (capabilities `<host><cpu>`), binding KVM guests only.
    public let physicalCPU: CPUDefinition?
    /// The physical CPU as feature names (`/proc/cpuinfo` flags), when that is the source.
    public let physicalFeatures: Set<String>?
    public let physicalSource: String?
    /// Machine types the emulator knows, by guest arch (capabilities `<guest>`), aliases included.
    public let machines: [String: Set<String>]
    /// Whether ``machines`` is the emulator's whole list (`virsh capabilities`,
    /// `qemu-system-* -machine help`), so a machine missing from it is unknown.
    public let completeMachineList: Bool
    /// Machine types QEMU marks deprecated (capabilities `deprecated='yes'`), by arch.
    public let deprecatedMachines: [String: Set<String>]
    /// Alias -> canonical machine (`pc` -> `pc-i440fx-10.0`).
    public let machineAliases: [String: String]
    /// Emulator path by arch (capabilities) or domcapabilities' `<path>`.
    public let emulators: [String: String]
    /// domcapabilities' `<os><loader><value>` paths: the firmware the target
    /// announces (nil: no domcapabilities read).
    public let loaderValues: [String]?
    /// domcapabilities' `<machine>` (the one machine it describes).
    public let domainCapabilitiesMachine: String?
    /// CPU modes domcapabilities lists as supported, and custom models with their `usable`.
    public let supportedCPUModes: Set<String>
    public let customModels: [String: Bool]
    /// Features QEMU turns on by itself for a model on this host (measured:
    /// what libvirt records in the cookie beyond the model), by model name.
    public let modelAdditions: [String: Set<String>]

    /// Every fact given (the parsers and ``merging(_:)`` build hosts through it).
    public init(source: String, hostModel: CPUDefinition? = nil, hostModelVirtType: String? = nil,
                hostModelSource: String? = nil, physicalCPU: CPUDefinition? = nil, physicalFeatures: Set<String>? = nil,
                physicalSource: String? = nil, machines: [String: Set<String>] = [:], completeMachineList: Bool = false,
                deprecatedMachines: [String: Set<String>] = [:], machineAliases: [String: String] = [:],
                emulators: [String: String] = [:], loaderValues: [String]? = nil, domainCapabilitiesMachine: String? = nil,
                supportedCPUModes: Set<String> = [], customModels: [String: Bool] = [:],
                modelAdditions: [String: Set<String>] = [:]) {
        self.source = source
        self.hostModel = hostModel
        self.hostModelVirtType = hostModelVirtType
        self.hostModelSource = hostModelSource
        self.physicalCPU = physicalCPU
        self.physicalFeatures = physicalFeatures
        self.physicalSource = physicalSource
        self.machines = machines
        self.completeMachineList = completeMachineList
        self.deprecatedMachines = deprecatedMachines
        self.machineAliases = machineAliases
        self.emulators = emulators
        self.loaderValues = loaderValues
        self.domainCapabilitiesMachine = domainCapabilitiesMachine
        self.supportedCPUModes = supportedCPUModes
        self.customModels = customModels
        self.modelAdditions = modelAdditions
    }

    /// A host whose physical CPU is a set of feature names (`/proc/cpuinfo`, a fuzz host).
    public init(source: String, features: Set<String>, modelAdditions: [String: Set<String>] = [:]) {
        self.init(source: source, physicalFeatures: features, physicalSource: source, modelAdditions: modelAdditions)
    }

    /// Both descriptions as one: `other`'s facts fill what this one lacks.
    public func merging(_ other: TargetHost) -> TargetHost {
        let hostModelHere = hostModel != nil
        let physicalHere = physicalCPU != nil || physicalFeatures != nil
        var machines = self.machines, deprecated = deprecatedMachines
        for (arch, set) in other.machines { machines[arch, default: []].formUnion(set) }
        for (arch, set) in other.deprecatedMachines { deprecated[arch, default: []].formUnion(set) }
        return TargetHost(
            source: source + " + " + other.source,
            hostModel: hostModelHere ? hostModel : other.hostModel,
            hostModelVirtType: hostModelHere ? hostModelVirtType : other.hostModelVirtType,
            hostModelSource: hostModelHere ? hostModelSource : other.hostModelSource,
            physicalCPU: physicalHere ? physicalCPU : other.physicalCPU,
            physicalFeatures: physicalHere ? physicalFeatures : other.physicalFeatures,
            physicalSource: physicalHere ? physicalSource : other.physicalSource,
            machines: machines, completeMachineList: completeMachineList || other.completeMachineList,
            deprecatedMachines: deprecated,
            machineAliases: machineAliases.merging(other.machineAliases) { a, _ in a },
            emulators: emulators.merging(other.emulators) { a, _ in a },
            loaderValues: loaderValues ?? other.loaderValues,
            domainCapabilitiesMachine: domainCapabilitiesMachine ?? other.domainCapabilitiesMachine,
            supportedCPUModes: supportedCPUModes.union(other.supportedCPUModes),
            customModels: customModels.merging(other.customModels) { a, _ in a },
            modelAdditions: modelAdditions.merging(other.modelAdditions) { a, _ in a })
    }

    /// The same host with measured model additions (`--model-additions`) in place of its own.
    public func withModelAdditions(_ table: [String: Set<String>]) -> TargetHost {
        TargetHost(source: source, hostModel: hostModel, hostModelVirtType: hostModelVirtType, hostModelSource: hostModelSource,
                   physicalCPU: physicalCPU, physicalFeatures: physicalFeatures, physicalSource: physicalSource,
                   machines: machines, completeMachineList: completeMachineList, deprecatedMachines: deprecatedMachines,
                   machineAliases: machineAliases, emulators: emulators, loaderValues: loaderValues,
                   domainCapabilitiesMachine: domainCapabilitiesMachine, supportedCPUModes: supportedCPUModes,
                   customModels: customModels, modelAdditions: table)
    }

    /// Whether the machine list is complete (from `virsh capabilities`), so a
    /// machine missing from it is unknown to the emulator.
    public var knowsAllMachines: Bool { completeMachineList && !machines.isEmpty }
}
