import Foundation
import Testing
@testable import SaveImage

/// Verify's verdict for every realistic guest image the lab script made, on
/// each lab: the verdict `verify` gives today (the lab's profile,
/// capabilities and domcapabilities) plus the device-state and firmware
/// reasons (``RestoreVerifier/deviceStateReasons(_:target:)``), written to
/// $RG/verdicts.tsv for `scripts/lab/real-guests.sh compare` against the real
/// restores ($RG/matrix.tsv). Skips without the labs' images.
@Suite("Real guests on the labs: device state and firmware verdicts")
struct RealGuestsLabTests {
    static let versions = ["7": "7.0", "9": "9.0", "11": "11.3", "12": "12.8"]
    static let captures = "/work/shared/fixtures/capabilities"

    static func verifier(lab: String) throws -> RestoreVerifier {
        let version = versions[lab] ?? "9.0"
        func read(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: captures + "/" + name))) }
        let host = try TargetHost(domainCapabilities: try read("libvirt-\(version)-domcapabilities-qemu.xml"), source: "\(version) domcapabilities")
            .merging(try TargetHost(capabilities: try read("libvirt-\(version)-capabilities.xml"), source: "\(version) capabilities"))
        return RestoreVerifier(profile: ReaderProfile(named: version) ?? .libvirt90, host: host)
    }

    @Test(.enabled(if: RealGuestsLab.available && FileManager.default.fileExists(atPath: captures),
                   "no realistic guest images in /tmp/rg (scripts/lab/real-guests.sh make LAB)"))
    func verdictsPerImageAndLab() throws {
        var lines: [String] = []
        let labs = ["7", "9", "11", "12"]
        let targets = try labs.map { ($0, try RealGuestsLab.target(lab: $0), try Self.verifier(lab: $0)) }
        for path in try RealGuestsLab.images() {
            let image = try SaveImage(contentsOf: path)
            for (lab, target, verifier) in targets {
                let base = verifier.verify(image)
                // The hook: the same verifier with the target's device description, deep (compressed streams decoded).
                var withDevices = verifier
                withDevices.deviceTarget = target
                withDevices.deep = true
                let combined = withDevices.verify(image)
                let primary = combined.primaryReason
                lines.append([URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent, lab,
                              base.outcome.rawValue, combined.outcome.rawValue,
                              primary.map { "\($0.code.rawValue): \($0.message)" } ?? "-"].joined(separator: "\t"))
            }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: RealGuestsLab.root + "/verdicts.tsv", atomically: true, encoding: .utf8)
        #expect(!lines.isEmpty)
    }
}
