extension TargetHost {
    /// Reads `virsh domcapabilities` XML: the host-model CPU for its virt
    /// type, usable custom models, the machine and emulator it describes, the
    /// firmware it announces.
    public init(domainCapabilities bytes: [UInt8], source: String) throws(SaveImageError) {
        let root = try XMLParser.parse(bytes, name: "domcapabilities", path: source)
        guard root.name == "domainCapabilities" else {
            throw SaveImageError(.unexpectedXML, path: source, field: "domcapabilities",
                                 expected: "<domainCapabilities>", found: "<\(root.name)>")
        }
        let machine = root.first("machine")?.text
        let arch = root.first("arch")?.text
        var emulators: [String: String] = [:]
        if let path = root.first("path")?.text, let arch { emulators[arch] = path }
        var hostModel: CPUDefinition?
        var modes: Set<String> = []
        var customModels: [String: Bool] = [:]
        for mode in root.first("cpu")?.all("mode") ?? [] {
            guard let name = mode[attribute: "name"], mode[attribute: "supported"] != "no" else { continue }
            modes.insert(name)
            if name == "host-model" { hostModel = CPUDefinition(element: mode) }
            if name == "custom" {
                for model in mode.all("model") { customModels[model.text] = model[attribute: "usable"] != "no" }
            }
        }
        var machines: [String: Set<String>] = [:]
        if let machine, let arch { machines[arch, default: []].insert(machine) }
        self.init(source: source, hostModel: hostModel, hostModelVirtType: root.first("domain")?.text ?? "qemu",
                  hostModelSource: source, machines: machines, emulators: emulators,
                  loaderValues: root.descendant("os", "loader")?.all("value").map(\.text) ?? [],
                  domainCapabilitiesMachine: machine, supportedCPUModes: modes, customModels: customModels)
    }
}
