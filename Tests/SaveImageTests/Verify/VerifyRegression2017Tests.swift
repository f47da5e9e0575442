import Foundation
import Testing
@testable import SaveImage

/// The 2017 regression (../shared/reference/libvirt-rfc-cpu-regression-2017.txt):
/// a domain XML holding the CPU as QEMU updated it (x2apic, hypervisor, arat,
/// ...) cannot be restored by an old libvirt / on a host lacking those
/// features; after `saveimg add-cpu-ext --from-domain` it can.
@Suite("Verify: 2017 CPU regression")
struct VerifyRegression2017Tests {
    static let updatedCPU = VerifyLab.cpu("Westmere", ["x2apic", "pclmuldq", "hypervisor", "arat"])
    static let originalCPU = "<cpu mode='custom' match='exact' check='partial'>\n    <model fallback='forbid'>Westmere</model>\n  </cpu>"

    /// The westmere fixture as libvirt 3.x wrote it: updated CPU in the domain XML, no cookie.
    func brokenImage(in directory: TemporaryDirectory) throws -> String {
        let xml = try VerifyLab.documents("westmere-raw.sav").xml
        return try VerifyLab.image("westmere-raw.sav", xml: VerifyLab.replacingCPU(in: xml, with: Self.updatedCPU),
                                   cookie: .some(nil), at: directory)
    }

    @Test("fails for an old target: host lacks x2apic (3.2, 9.0) / libvirt does not know arat (1.2)")
    func brokenFails() throws {
        let directory = try TemporaryDirectory()
        let path = try brokenImage(in: directory)
        for version in ["3.2", "9.0"] {
            let v = try VerifyLab.verifier(ReaderProfile(named: version)!).verify(path: path)
            #expect(v.outcome == .willFail, "\(version)")
            #expect(v.primaryReason?.code == .cpuMissingFeatures)
            #expect(v.primaryReason?.libvirtMessage?.hasSuffix("missing features: x2apic") == true, "\(v.reasons)")
        }
        let old = try VerifyLab.verifier(ReaderProfile(named: "1.2.0")!).verify(path: path)
        #expect(old.outcome == .willFail)
        #expect(old.primaryReason?.libvirtMessage == "Unknown CPU feature arat")
    }

    @Test("passes after add-cpu-ext --from-domain, for old and new targets")
    func repairedPasses() throws {
        let directory = try TemporaryDirectory()
        let broken = try brokenImage(in: directory)
        let original = try directory.write("original-cpu.xml", Array(Self.originalCPU.utf8))
        let fixed = directory.path + "/fixed.sav"
        let run = try CLI.run(["add-cpu-ext", broken, "--from-domain", "--original-cpu", original, "--output", fixed])
        #expect(run.status == 0, "\(run.stderr)")
        let image = try SaveImage(contentsOf: fixed)
        #expect(image.domain.cpu?.features.isEmpty == true)
        #expect(image.cookie?.cpu?.requiredFeatureNames == ["x2apic", "pclmuldq", "hypervisor", "arat"])
        for version in ["1.2.0", "3.2"] {
            let v = try VerifyLab.verifier(ReaderProfile(named: version)!).verify(path: fixed)
            #expect(v.outcome == .restorable, "\(version): \(v.reasons)")
        }
        // A cookie-reading libvirt uses the cookie's CPU: x2apic is still missing on the lab host.
        let new = try VerifyLab.verifier(.libvirt90).verify(path: fixed)
        #expect(new.primaryReason?.libvirtMessage == "guest CPU doesn't match specification: missing features: x2apic")
    }
}
