import Foundation
import Testing
@testable import SaveImage

/// The device-state check on real bytes: the ends of three realistic guests'
/// streams (testdata/real-guests/*.tail: the virtio sections through the VM
/// description, cut from images `scripts/lab/real-guests.sh` made) and the
/// labs' QEMUs' `-dump-vmstate` (trimmed to the device classes those images
/// use). What a real restore did with each pairing is in the comments.
@Suite("Device state: VM description, vmstate dump, virtqueue sizes")
struct DeviceStateCompatibilityTests {
    static let directory = Fixtures.testdata + "/real-guests/"

    static func tail(_ name: String) throws -> DeviceStateEvidence.Tail {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + name + ".tail")))
        let location = try #require(StreamSource.locateDescription(in: bytes))
        return DeviceStateEvidence.Tail(bytes: bytes, base: 0, eofIndex: location.eof, descriptionRange: location.json,
                                        offsetKind: "fixture offset")
    }

    static func states(_ name: String) throws -> (DeviceStateEvidence.Tail, SavedDeviceStates) {
        let tail = try tail(name)
        return (tail, try #require(DeviceStateEvidence.savedDeviceStates(in: tail)))
    }

    static func dump(_ name: String) throws -> TargetVMStateDump {
        try TargetVMStateDump(json: [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + name + ".vmstate.json"))), path: name)
    }

    @Test("the VM description of a QEMU 10.0 i440fx guest: every section, its vmstate name, version and subsections")
    func description() throws {
        let (_, states) = try Self.states("rg-11-pc2cpu-raw")
        #expect(states.pageSize == 4096)
        let blk = try #require(states.devices.first { $0.section == "0000:00:04.0/virtio-blk" })
        #expect(blk.description?.name == "virtio-blk")
        #expect(blk.description?.version == 2)
        #expect(blk.description?.fields.map(\.type) == ["virtio"])
        // Two vCPUs: two cpu sections, instances 0 and 1.
        #expect(states.devices.filter { $0.section == "cpu" }.map(\.instance) == [0, 1])
        // The i8042's state nests the keyboard controller's description, with its subsections.
        let pckbd = try #require(states.devices(named: "pckbd").first?.description)
        let kbd = try #require(pckbd.fields.first { $0.name == "kbd" }?.structure)
        #expect(kbd.name == "pckbd")
        #expect(kbd.subsections.map(\.name).contains("pckbd/extended_state"))
        // The ide section's bmdma array of structures is listed once per element.
        let ide = try #require(states.devices(named: "ide").first?.description)
        #expect(ide.fields.filter { $0.name == "bmdma" }.count == 2)
    }

    @Test("hostile VM descriptions are refused with the field named, not trapped on")
    func hostileDescription() throws {
        for json in [#"{"devices": [{"name": "x", "vmsd_name": "x", "fields": [{"name": "f", "size": -1}]}]}"#, "[1,2", "{}x"] {
            #expect(throws: SaveImageError.self) { try SavedDeviceStates(json: Array(json.utf8), path: "t", offset: 7) }
        }
        var nested = #"{"name":"f","size":1,"struct":{"vmsd_name":"s","fields":["#
        for _ in 0..<40 { nested += #"{"name":"f","size":1,"struct":{"vmsd_name":"s","fields":["# }
        nested += String(repeating: "]}}", count: 41)
        let deep = #"{"devices":[{"name":"x","vmsd_name":"x","fields":["# + nested + "]}]}"
        #expect(throws: SaveImageError.self) { try SavedDeviceStates(json: Array(deep.utf8)) }
    }

    @Test("vring.num of every virtio device: QEMU 10.0 wrote 1024 everywhere, 11.1 and 7.2 the device defaults")
    func virtqueueSizes() throws {
        func sizes(_ name: String) throws -> [String: [UInt32]] {
            let (tail, states) = try Self.states(name)
            return Dictionary(uniqueKeysWithValues: DeviceStateEvidence.virtqueueSizes(in: tail, states: states).map { ($0.vmstateName, $0.queueSizes) })
        }
        #expect(try sizes("rg-11-pc2cpu-raw") == ["virtio-blk": [1024, 1024], "virtio-net": [1024, 1024, 1024],
                                                  "virtio-balloon": [1024, 1024, 1024], "virtio-rng": [1024]])
        // q35: PCI Express devices (4096-byte config space) behind root ports; one vCPU, one virtio-blk queue.
        #expect(try sizes("rg-12-q35uefi-raw") == ["virtio-blk": [256], "virtio-net": [256, 256, 64],
                                                   "virtio-balloon": [128, 128, 128], "virtio-rng": [8]])
        #expect(try sizes("rg-9-pc2cpu-raw") == ["virtio-blk": [256, 256], "virtio-net": [256, 256, 64],
                                                 "virtio-balloon": [128, 128, 128], "virtio-rng": [8]])
    }

    @Test("a section that is not virtio-pci state is not judged (nil), whatever its bytes")
    func virtqueueParserRefusesOtherBytes() {
        #expect(VirtqueueSizes(section: "s", vmstateName: "virtio-blk", data: [], base: 0) == nil)
        #expect(VirtqueueSizes(section: "s", vmstateName: "virtio-blk", data: [0, 0, 0, 2] + [UInt8](repeating: 0xff, count: 400), base: 0) == nil)
        var cut = [UInt8](repeating: 0, count: 300)
        cut[3] = 2; cut[4] = 0xf4; cut[5] = 0x1a
        #expect(VirtqueueSizes(section: "s", vmstateName: "virtio-blk", data: cut, base: 0) == nil)
    }

    @Test("-dump-vmstate parsed: machine type, versions, fields, subsections")
    func dump() throws {
        let dump = try Self.dump("qemu-11.1.3-pc")
        #expect(dump.machineType == "pc-i440fx-11.1")
        let blk = try #require(dump.descriptions["virtio-blk"])
        #expect((blk.version, blk.minimumVersion) == (2, 2))
        #expect(dump.classes["virtio-blk"] == ["virtio-blk-device"])
        let kbd = dump.descriptions["pckbd"]?.fields.first { $0.name == "kbd" }?.structure
        #expect(kbd?.subsections.map(\.name).contains("pckbd/extended_state") == true)
        #expect(dump.classes["pckbd"] == ["i8042"])
        #expect(throws: SaveImageError.self) { try TargetVMStateDump(json: Array("[]".utf8)) }
    }

    /// Lab: every 11.3 (QEMU 10.0) image with virtio devices failed on 12.8 with "error while loading state for
    /// instance 0x0 of device '0000:00:04.0/virtio-blk'" and QEMU's "VQ 0 vring.num 1024 exceeds allocated max 256".
    @Test("QEMU 10.0 -> 11.1: will fail at virtio-blk's queue 0 (1024 > 256); the layout alone is compatible")
    func tenToEleven() throws {
        let (tail, states) = try Self.states("rg-11-pc2cpu-raw")
        let queues = DeviceStateEvidence.virtqueueSizes(in: tail, states: states)
        let problems = DeviceStateCompatibility.check(image: states, target: try Self.dump("qemu-11.1.3-pc"), virtqueues: queues,
                                                      limits: VirtqueueLimits.measured(qemu: "11.1.3"))
        let failing = problems.filter(\.willFail)
        #expect(failing.first?.section == "0000:00:04.0/virtio-blk")
        #expect(failing.first?.field == "vq[0].vring.num")
        #expect(failing.first?.message.contains("vring.num 1024") == true)
        #expect(failing.first?.message.contains("at most 256") == true)
        #expect(failing.allSatisfy { $0.kind == .virtqueueTooLarge })
        #expect(Set(failing.map(\.vmstate)) == ["virtio-blk", "virtio-net", "virtio-balloon", "virtio-rng"])
        // Without the values, the static comparison alone passes: the virtqueue sizes are what fails.
        #expect(DeviceStateCompatibility.check(image: states, target: try Self.dump("qemu-11.1.3-pc")).allSatisfy { !$0.willFail })
    }

    /// Lab: 11.3 images restore on 11.3 (QEMU 10.0 does not check vring.num against its allocation).
    @Test("QEMU 10.0 -> 10.0 and 7.2 -> 11.1: nothing fails")
    func compatiblePairs() throws {
        let (tail, states) = try Self.states("rg-11-pc2cpu-raw")
        var problems = DeviceStateCompatibility.check(image: states, target: try Self.dump("qemu-10.0.13-pc"),
                                                      virtqueues: DeviceStateEvidence.virtqueueSizes(in: tail, states: states),
                                                      limits: VirtqueueLimits.measured(qemu: "10.0.13"))
        #expect(problems.filter(\.willFail).isEmpty, "\(problems.filter(\.willFail))")
        let (tail9, states9) = try Self.states("rg-9-pc2cpu-raw")
        problems = DeviceStateCompatibility.check(image: states9, target: try Self.dump("qemu-11.1.3-pc"),
                                                  virtqueues: DeviceStateEvidence.virtqueueSizes(in: tail9, states: states9),
                                                  limits: VirtqueueLimits.measured(qemu: "11.1.3"))
        #expect(problems.filter(\.willFail).isEmpty, "\(problems.filter(\.willFail))")
        let (tail12, states12) = try Self.states("rg-12-q35uefi-raw")
        problems = DeviceStateCompatibility.check(image: states12, target: try Self.dump("qemu-11.1.3-q35"),
                                                  virtqueues: DeviceStateEvidence.virtqueueSizes(in: tail12, states: states12),
                                                  limits: VirtqueueLimits.measured(qemu: "11.1.3"))
        #expect(problems.filter(\.willFail).isEmpty, "\(problems.filter(\.willFail))")
    }

    @Test("QEMU 7.2 -> 5.2: a subsection 5.2 does not know (pckbd/extended_state) will fail")
    func unknownSubsection() throws {
        let (_, states) = try Self.states("rg-9-pc2cpu-raw")
        let problems = DeviceStateCompatibility.check(image: states, target: try Self.dump("qemu-5.2.0-pc"))
        let unknown = try #require(problems.first { $0.kind == .subsectionUnknown })
        #expect(unknown.willFail)
        #expect(unknown.section == "pckbd")
        #expect(unknown.field == "pckbd/extended_state")
    }

    @Test("a section saved at a newer version than the target loads will fail, naming both versions")
    func versionTooNew() throws {
        let (_, states) = try Self.states("rg-11-pc2cpu-raw")
        var dump = try Self.dump("qemu-11.1.3-pc")
        dump.descriptions["virtio-net"]?.version = 10
        let problem = try #require(DeviceStateCompatibility.check(image: states, target: dump).first { $0.kind == .versionTooNew })
        #expect(problem.section == "0000:00:03.0/virtio-net")
        #expect(problem.message.contains("version 11") && problem.message.contains("at most version 10"))
    }
}
