import Foundation
@testable import SaveImage

/// The four lab generations' descriptions (testdata/capabilities, copied from
/// ../shared/fixtures/capabilities: real `virsh capabilities` and `virsh
/// domcapabilities --virttype qemu`) and their real images (testdata/libvirt-*).
enum Generations {
    static let labs = ["7.0", "9.0", "11.3", "12.8"]

    static func capture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.testdata + "/capabilities/" + name)))
    }

    static func capabilities(_ lab: String) throws -> TargetHost {
        try TargetHost(capabilities: try capture("libvirt-\(lab)-capabilities.xml"), source: "\(lab) capabilities")
    }

    static func domainCapabilities(_ lab: String) throws -> TargetHost {
        try TargetHost(domainCapabilities: try capture("libvirt-\(lab)-domcapabilities-qemu.xml"), source: "\(lab) domcapabilities")
    }

    /// Both descriptions, as `verify --capabilities C --domcapabilities D` reads them.
    static func host(_ lab: String) throws -> TargetHost {
        try domainCapabilities(lab).merging(try capabilities(lab))
    }

    /// Only the XML descriptions: no vmstate descriptions, so the device state is cannot_tell.
    static func bare(_ lab: String, host: TargetHost? = nil, deep: Bool = false) throws -> RestoreVerifier {
        RestoreVerifier(profile: ReaderProfile(named: lab) ?? .libvirt90, host: try host ?? Self.host(lab), deep: deep)
    }

    /// The lab's descriptions with its QEMU's vmstate descriptions and firmware
    /// files (testdata/targets/lab-libvirt-LAB.json), as `verify --vmstate`
    /// gives them: the device state is judged.
    static func verifier(_ lab: String, host: TargetHost? = nil, deep: Bool = false) throws -> RestoreVerifier {
        var verifier = try bare(lab, host: host, deep: deep)
        let capture = try labCapture(lab)
        verifier.vmstate = capture.vmstate
        verifier.firmwareFiles = capture.firmwareFiles
        return verifier
    }

    /// A lab's `saveimg target capture` (testdata/targets).
    static func labCapture(_ lab: String) throws -> TargetCapture {
        let path = Fixtures.testdata + "/targets/lab-libvirt-\(lab).json"
        return try TargetCapture(json: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), source: path)
    }

    /// A real image saved by libvirt `generation`.
    static func path(_ generation: String, _ name: String) -> String {
        Fixtures.testdata + "/libvirt-\(generation)/" + name
    }

    /// A copy of a real image with `change` applied, in `directory`.
    static func modified(_ generation: String, _ name: String, in directory: TemporaryDirectory,
                         _ change: (inout [UInt8]) throws -> Void) throws -> String {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(generation, name))))
        try change(&bytes)
        return try directory.write(generation + "-" + name, bytes)
    }
}
