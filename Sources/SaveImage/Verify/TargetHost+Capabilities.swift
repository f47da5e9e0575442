extension TargetHost {
    /// Reads `virsh capabilities` XML: machines per guest arch (aliases and
    /// deprecated ones marked), emulators, and the physical host CPU.
    public init(capabilities bytes: [UInt8], source: String) throws(SaveImageError) {
        let root = try XMLParser.parse(bytes, name: "capabilities", path: source)
        guard root.name == "capabilities", let cpu = root.descendant("host", "cpu") else {
            throw SaveImageError(.unexpectedXML, path: source, field: "capabilities",
                                 expected: "<capabilities> with <host><cpu>", found: "<\(root.name)> without one")
        }
        var machines: [String: Set<String>] = [:]
        var deprecated: [String: Set<String>] = [:]
        var aliases: [String: String] = [:]
        var emulators: [String: String] = [:]
        for guest in root.all("guest") {
            guard let arch = guest.first("arch"), let name = arch[attribute: "name"] else { continue }
            if let emulator = arch.first("emulator")?.text { emulators[name] = emulator }
            var set = machines[name] ?? []
            for list in [arch] + arch.all("domain") {
                for machine in list.all("machine") {
                    set.insert(machine.text)
                    if machine[attribute: "deprecated"] == "yes" { deprecated[name, default: []].insert(machine.text) }
                    if let canonical = machine[attribute: "canonical"] {
                        set.insert(canonical)
                        aliases[machine.text] = canonical
                    }
                }
            }
            machines[name] = set
        }
        self.init(source: source, physicalCPU: CPUDefinition(element: cpu), physicalSource: source, machines: machines,
                  completeMachineList: true, deprecatedMachines: deprecated, machineAliases: aliases, emulators: emulators)
    }

    /// A QEMU binary's machine list (`qemu-system-ARCH -machine help`, by
    /// arch) with the host's CPU flags: the whole list, so a machine missing from it is unknown.
    public init(machineList: [String: [String]], cpuFlags: [String], source: String) {
        self.init(source: source, physicalFeatures: Set(cpuFlags), physicalSource: source,
                  machines: machineList.mapValues { Set($0) }, completeMachineList: true)
    }
}
