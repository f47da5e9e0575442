/// The guest-ABI comparison libvirt makes before it accepts a new domain XML
/// for a saved guest (`virDomainDefCheckABIStability`, used by
/// `virsh save-image-define` and `virsh restore --xml`), for the parts
/// saveimg models: identity, memory, vCPUs, OS type, architecture, machine,
/// the CPU definition and the number of devices of each kind.
///
/// Messages are libvirt 9.0's, target (new XML) first, source (image) second,
/// e.g. `Target domain max memory 65536 does not match source 32768`.
public enum DomainABICheck {
    /// Device elements libvirt counts, with the noun its message uses.
    static let deviceKinds: [(element: String, noun: String)] = [
        ("disk", "disk count"), ("controller", "controller count"), ("filesystem", "filesystem count"),
        ("interface", "net card count"), ("input", "input device count"), ("sound", "sound card count"),
        ("video", "video card count"), ("hostdev", "host device count"), ("smartcard", "smartcard count"),
        ("serial", "serial port count"), ("parallel", "parallel port count"), ("channel", "channel count"),
        ("console", "console count"), ("hub", "hub device count"), ("redirdev", "redirected devices count"),
        ("watchdog", "watchdog count"), ("memballoon", "memory balloon count"), ("rng", "RNG device count"),
        ("panic", "panic device count"), ("shmem", "shared memory device count"), ("tpm", "TPM device count"),
        ("memory", "memory device count"),
    ]

    /// Every ABI difference between the image's domain (`source`) and a new
    /// one (`target`), as libvirt's messages, in libvirt's order. Empty when
    /// the new XML is ABI-compatible.
    public static func differences(source: DomainSummary, target: DomainSummary) -> [String] {
        var messages: [String] = []
        func compare(_ what: String, _ target: String?, _ source: String?) {
            if let target, let source, target != source {
                messages.append("Target domain \(what) \(target) does not match source \(source)")
            }
        }
        compare("virt type", target.type, source.type)
        compare("uuid", target.uuid, source.uuid)
        if let t = target.name, let s = source.name, t != s {
            messages.append("Target domain name '\(t)' does not match source '\(s)'")
        }
        compare("max memory", target.memoryKiB.map(String.init), source.memoryKiB.map(String.init))
        compare("vCPU max", target.vcpus.map(String.init), source.vcpus.map(String.init))
        compare("OS type", target.element.descendant("os", "type")?.text, source.element.descendant("os", "type")?.text)
        compare("architecture", target.arch, source.arch)
        if let t = target.machine, let s = source.machine, !machinesMatch(t, s) {
            messages.append("Target domain machine type \(t) does not match source \(s)")
        }
        messages += cpuDifferences(source: source.cpu, target: target.cpu)  // bounded: array append
        messages += deviceDifferences(source: source.element, target: target.element)  // bounded: array append
        return messages
    }

    /// libvirt stores the expanded machine type (`pc-i440fx-7.2`); a new XML
    /// may still say the alias (`pc`, `q35`).
    static func machinesMatch(_ target: String, _ source: String) -> Bool {
        if target == source { return true }
        let aliases = ["pc": "pc-i440fx-", "q35": "pc-q35-"]
        if let prefix = aliases[target], source.hasPrefix(prefix) { return true }
        if let prefix = aliases[source], target.hasPrefix(prefix) { return true }
        return false
    }

    /// `virCPUDefIsEqual`: presence, mode, model, vendor, features in order.
    static func cpuDifferences(source: CPUDefinition?, target: CPUDefinition?) -> [String] {
        guard let source, let target else {
            return source == nil && target == nil ? [] : ["Target CPU does not match source"]
        }
        var messages: [String] = []
        let mode = { (cpu: CPUDefinition) in cpu.mode ?? "custom" }
        if mode(target) != mode(source) {
            messages.append("Target CPU mode \(mode(target)) does not match source \(mode(source))")
        }
        if let t = target.model, let s = source.model, t != s {
            messages.append("Target CPU model \(t) does not match source \(s)")
        } else if (target.model == nil) != (source.model == nil) {
            messages.append("Target CPU model \(target.model ?? "(null)") does not match source \(source.model ?? "(null)")")
        }
        if target.vendor != source.vendor {
            messages.append("Target CPU vendor \(target.vendor ?? "(null)") does not match source \(source.vendor ?? "(null)")")
        }
        if target.features.count != source.features.count {
            messages.append("Target CPU feature count \(target.features.count) does not match source \(source.features.count)")
        } else {
            for (t, s) in zip(target.features, source.features) {
                if t.name != s.name {
                    messages.append("Target CPU feature \(t.name) does not match source \(s.name)")
                } else if t.policy != s.policy {
                    messages.append("Target CPU feature policy \(t.policy) does not match source \(s.policy)")
                }
            }
        }
        return messages
    }

    static func deviceDifferences(source: XMLElement, target: XMLElement) -> [String] {
        let sourceDevices = source.first("devices")
        let targetDevices = target.first("devices")
        let counts = deviceKinds.compactMap { kind in
            let s = sourceDevices?.all(kind.element).filter { !isImplicit($0) }.count ?? 0
            let t = targetDevices?.all(kind.element).filter { !isImplicit($0) }.count ?? 0
            return s == t ? nil : "Target domain \(kind.noun) \(t) does not match source \(s)"
        }
        if !counts.isEmpty { return counts }
        return zip(sourceDevices?.all("disk") ?? [], targetDevices?.all("disk") ?? []).compactMap { diskDifference(source: $0, target: $1) }
    }

    /// Devices libvirt adds to every x86 domain it parses and leaves out of the
    /// migratable XML a save image holds: the PCI root, the default USB
    /// controller (i440fx's piix3-uhci, index 0), the PS/2 mouse and
    /// keyboard, q35's iTCO watchdog (12.8). `virsh save-image-dumpxml` shows them, the image's XML does
    /// not, and libvirt compares both after adding them again: not counted.
    /// (Measured on realistic guests: 9.0's dumpxml of an i440fx guest has 2
    /// controllers and 3 inputs more than... the image's 0 and 2.)
    static func isImplicit(_ device: XMLElement) -> Bool {
        switch device.name {
        case "controller":
            let type = device[attribute: "type"], model = device[attribute: "model"], index = device[attribute: "index"] ?? "0"
            if type == "pci", index == "0", model == "pci-root" || model == "pcie-root" { return true }
            return type == "usb" && index == "0" && (model == "piix3-uhci" || model == nil)
        case "input":
            return device[attribute: "bus"] == "ps2"
        case "watchdog":
            // libvirt >= 9.1 gives every q35 guest the chipset's iTCO watchdog.
            return device[attribute: "model"] == "itco"
        default:
            return false
        }
    }

    /// `virDomainDiskDefCheckABIStability`'s queue checks, on the disk's
    /// `<driver queues= queue_size=>`: the number and size of a virtio disk's
    /// virtqueues are guest ABI (the stream holds each queue's `vring.num`).
    /// Measured on libvirt 9.0, 11.3 and 12.8 (`virsh restore --xml` with
    /// `queue_size='512'` added): "Target disk queue size 0 does not match
    /// source 0": the message prints the queue *counts* (a libvirt slip), so
    /// saveimg prints them too. libvirt 7.0 accepts the change (and drops it).
    static func diskDifference(source: XMLElement, target: XMLElement) -> String? {
        let count = { (disk: XMLElement) in disk.first("driver")?[attribute: "queues"] ?? "0" }
        let size = { (disk: XMLElement) in disk.first("driver")?[attribute: "queue_size"] ?? "0" }
        if count(target) != count(source) {
            return "Target disk queue count \(count(target)) does not match source \(count(source))"
        }
        if size(target) != size(source) {
            return "Target disk queue size \(count(target)) does not match source \(count(source))"
        }
        return nil
    }
}
