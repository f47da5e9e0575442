import Foundation
import Testing
@testable import SaveImage

/// The stream's end read from real images (testdata/libvirt-9.0): a bounded
/// read of a raw file, a full decode of a compressed one, the same VM
/// description either way.
@Suite("Device state evidence: the VM description at a real stream's end")
struct DeviceStateEvidenceTests {
    @Test("raw: read at the file's end; gzip and xz: only when decompressing, then the same description")
    func rawAndCompressed() throws {
        let raw = try SaveImage(contentsOf: Fixtures.path("qemu64-raw-running.sav"))
        let rawTail = try #require(DeviceStateEvidence.tail(of: raw))
        #expect(rawTail.offsetKind == "file offset")
        let rawStates = try #require(DeviceStateEvidence.savedDeviceStates(in: rawTail))
        #expect(rawStates.devices.contains { $0.section == "cpu" && $0.description?.name == "cpu" && $0.description?.version == 12 })
        for name in ["qemu64-gzip.sav", "qemu64-xz.sav"] {
            let image = try SaveImage(contentsOf: Fixtures.path(name))
            #expect(DeviceStateEvidence.tail(of: image) == nil, "\(name): compressed, not decoded without decompress")
            let tail = try #require(DeviceStateEvidence.tail(of: image, decompress: true))
            #expect(tail.offsetKind == "decoded stream offset")
            let states = try #require(DeviceStateEvidence.savedDeviceStates(in: tail))
            #expect(states.devices.map(\.section) == rawStates.devices.map(\.section), "\(name)")
        }
    }

    @Test("the verify hook on a toy guest: no virtio device, nothing fails; a compressed stream without decompress is cannot_tell")
    func hook() throws {
        let dump = try TargetVMStateDump(json: [UInt8](try Data(contentsOf: URL(fileURLWithPath:
            Fixtures.testdata + "/real-guests/qemu-11.1.3-pc.vmstate.json"))))
        let target = DeviceStateTarget(vmstate: ["pc-i440fx-11.1": dump], virtqueueLimits: VirtqueueLimits.measured(qemu: "11.1.3"))
        let raw = try SaveImage(contentsOf: Fixtures.path("qemu64-raw-running.sav"))
        #expect(RestoreVerifier.deviceStateReasons(raw, target: target).allSatisfy { $0.severity <= .info })
        let gzip = try SaveImage(contentsOf: Fixtures.path("qemu64-gzip.sav"))
        let reasons = RestoreVerifier.deviceStateReasons(gzip, target: target)
        #expect(reasons.map(\.code.rawValue) == ["device_state_not_checked"])
        #expect(reasons.first?.severity == .cannotTell)
    }
}
