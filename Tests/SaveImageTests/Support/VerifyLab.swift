import Foundation
@testable import SaveImage

/// The lab host captured from real libvirt 9.0 (testdata/capabilities) and
/// hand-built images for verify tests, made as scripts/lab/verify-cpu-rows.py
/// made the images it restored.
enum VerifyLab {
    static func capture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.testdata + "/capabilities/" + name)))
    }

    /// The lab host: domcapabilities host-model plus the measured QEMU additions.
    static func host() throws -> TargetHost {
        try TargetHost(domainCapabilities: try capture("lab-libvirt-9.0-domcapabilities.xml"), source: "lab domcapabilities")
            .withModelAdditions(TargetHost.parseModelAdditions(
                String(decoding: try capture("lab-qemu-7.2-tcg-model-additions.txt"), as: UTF8.self)))
    }

    static func verifier(_ profile: ReaderProfile = .libvirt90, xml: String? = nil) throws -> RestoreVerifier {
        let replacement = try xml.map { try DomainSummary(element: try XMLParser.parse(Array($0.utf8), name: "new XML")) }
        var verifier = RestoreVerifier(profile: profile, host: try host(), replacementDomain: replacement)
        // The lab's QEMU 7.2 vmstate descriptions and firmware files: the device state is judged.
        let capture = try Generations.labCapture("9.0")
        verifier.vmstate = capture.vmstate
        verifier.firmwareFiles = capture.firmwareFiles
        return verifier
    }

    /// The fixture's domain XML and cookie text.
    static func documents(_ fixture: String) throws -> (xml: String, cookie: String?) {
        let image = try SaveImage(contentsOf: Fixtures.path(fixture))
        return (image.region.domainXML.text, image.cookieDocument?.text)
    }

    /// The fixture with its data region rewritten (same data_len, stream in
    /// place): `xml`, NUL, `cookie` (if any), NUL, zero padding.
    static func image(_ fixture: String, xml: String? = nil, cookie: String??, at directory: TemporaryDirectory)
        throws -> String
    {
        let original = try documents(fixture)
        var bytes = try Fixtures.bytes(fixture)
        let dataLength = Int(bytes.word(at: 20))
        var region = Array((xml ?? original.xml).utf8) + [0]
        let newCookie: String? = cookie ?? original.cookie
        var cookieOffset: UInt32 = 0
        if let newCookie {
            cookieOffset = UInt32(region.count)
            region += Array(newCookie.utf8) + [0]
        }
        precondition(region.count <= dataLength, "test image does not fit")
        region += [UInt8](repeating: 0, count: dataLength - region.count)
        bytes.replaceSubrange(92..<(92 + dataLength), with: region)
        bytes.setWord(cookieOffset, at: 32)
        return try directory.write(fixture, bytes)
    }

    static func cpu(_ model: String, _ features: [String], check: String = "full", disabled: [String] = []) -> String {
        var lines = ["  <cpu mode='custom' match='exact' check='\(check)'>", "    <model fallback='forbid'>\(model)</model>"]
        lines += features.map { "    <feature policy='require' name='\($0)'/>" }
        lines += disabled.map { "    <feature policy='disable' name='\($0)'/>" }
        return (lines + ["  </cpu>"]).joined(separator: "\n")
    }

    static func cookie(_ model: String, _ features: [String], disabled: [String] = []) -> String {
        "<cookie>\n" + cpu(model, features, disabled: disabled) + "\n  <slirpHelper/>\n</cookie>\n"
    }

    /// `xml` with its `<cpu>...</cpu>` replaced.
    static func replacingCPU(in xml: String, with cpu: String) -> String {
        guard let start = xml.range(of: "  <cpu"), let end = xml.range(of: "</cpu>") else { return xml }
        return xml.replacingCharacters(in: start.lowerBound..<end.upperBound, with: cpu)
    }
}
