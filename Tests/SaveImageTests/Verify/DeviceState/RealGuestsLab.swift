import Foundation
@testable import SaveImage

/// The four labs as `scripts/lab/real-guests.sh` leaves them in /tmp/rg:
/// images, each lab QEMU's -dump-vmstate, domcapabilities and OVMF sizes.
/// Tests that need them skip when the directory is not there (CI).
enum RealGuestsLab {
    static let root = ProcessInfo.processInfo.environment["RG"] ?? "/tmp/rg"
    static var available: Bool { FileManager.default.fileExists(atPath: root + "/images") }

    /// lab -> (QEMU version its dumps are named with, measured version key)
    static let qemu: [String: String] = ["7": "5.2.0", "9": "7.2.22", "11": "10.0.13", "12": "11.1.3"]

    static func images() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root + "/images").filter { $0.hasSuffix(".sav") }.sorted()
            .map { root + "/images/" + $0 }
    }

    /// The target: dumps keyed by machine type (`pc` and `q35` stand for the
    /// latest of their family), measured virtqueue limits, firmware.
    static func target(lab: String) throws -> DeviceStateTarget {
        guard let version = qemu[lab] else { return DeviceStateTarget() }
        var dumps: [String: TargetVMStateDump] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: root + "/dumps")
        where name.hasPrefix("qemu-\(version)-") && name.hasSuffix(".json") {
            let dump = try TargetVMStateDump(json: [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/dumps/" + name))),
                                             path: name)
            if let machine = dump.machineType { dumps[machine] = dump }
        }
        var values: [String] = []
        if let caps = try? String(contentsOfFile: root + "/firmware/domcaps-\(lab)-q35.xml", encoding: .utf8),
           let loader = try? XMLParser.parse(Array(caps.utf8), name: "domcapabilities").descendant("os", "loader") {
            values = loader.all("value").map(\.text)
        }
        var files: [String: UInt64] = [:]
        if let sizes = try? String(contentsOfFile: root + "/firmware/ovmf-sizes-\(lab).txt", encoding: .utf8) {
            for line in sizes.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let size = UInt64(parts[1]) { files[String(parts[0])] = size }
            }
        }
        // The NVRAM files live in /tmp/rg/guest, which every lab sees.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root + "/guest")) ?? [] where name.hasSuffix("_VARS.fd") {
            let path = root + "/guest/" + name
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber { files[path] = size.uint64Value }
        }
        return DeviceStateTarget(vmstate: dumps, virtqueueLimits: VirtqueueLimits.measured(qemu: version),
                                 firmware: FirmwareCompatibility.Target(loaderValues: values, files: files, source: "lab \(lab)"))
    }
}
