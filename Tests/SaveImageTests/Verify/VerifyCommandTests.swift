import Foundation
import Testing
@testable import SaveImage

@Suite("Verify: command line")
struct VerifyCommandTests {
    static let domcaps = Fixtures.testdata + "/capabilities/lab-libvirt-9.0-domcapabilities.xml"
    static let additions = Fixtures.testdata + "/capabilities/lab-qemu-7.2-tcg-model-additions.txt"

    @Test("exit 0 / 3 / 2 and one line per image plus a summary for a directory")
    func directory() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("good.sav", try Fixtures.bytes("westmere-raw.sav"))
        var bad = try Fixtures.bytes("qemu64-raw-running.sav")
        bad.setWord(7, at: 28)
        _ = try directory.write("fails.sav", bad)
        let lab = ["--target-libvirt", "9.0", "--domcapabilities", Self.domcaps, "--model-additions", Self.additions,
                   "--vmstate", Fixtures.testdata + "/targets/lab-libvirt-9.0.json"]
        let good = try CLI.run(["verify"] + lab + [directory.path + "/good.sav"])
        #expect(good.status == 0, "\(good.output)\(good.stderr)")
        #expect(good.output.hasPrefix("target: libvirt 9.0.0 (measured) + QEMU 7.2.0 (assumed: the lab's) with \(Self.domcaps) (from --target-libvirt 9.0)\n"))
        #expect(good.output.contains("\n" + directory.path + "/good.sav: restorable\n"))
        let both = try CLI.run(["verify"] + lab + [directory.path])
        #expect(both.status == 3)
        let lines = both.output.split(separator: "\n").dropFirst()  // the target line
        #expect(lines.count == 3)
        #expect(lines.first?.hasSuffix("fails.sav: will fail [format_unknown] Invalid compressed save format 7") == true)
        #expect(lines.last == "2 images: 1 restorable, 0 restorable with warnings, 0 cannot tell, 1 will fail, 0 invalid")
        var invalid = bad
        invalid.setWord(0, at: 20)
        _ = try directory.write("invalid.sav", invalid)
        #expect(try CLI.run(["verify"] + lab + [directory.path]).status == 2)
    }

    @Test("--json: one line per image with verdict and findings")
    func json() throws {
        let run = try CLI.run(["verify", "--json", "--target-libvirt", "9.0", "--xml", Fixtures.path("domain-westmere.xml"),
                               "--domcapabilities", Self.domcaps, Fixtures.path("qemu64-raw-running.sav")])
        #expect(run.status == 3)
        let object = try #require(try JSONSchema.validate(run, "verify").first)
        #expect(object["verdict"] as? String == "restore_fails")
        #expect(object["file"] as? String == Fixtures.path("qemu64-raw-running.sav"))
        let reasons = try #require(object["findings"] as? [[String: Any]])
        #expect(reasons.first?["code"] as? String == "abi_domain_uuid")  // libvirt checks the uuid before the name
        #expect(reasons.first?["hint"] != nil)
    }

    @Test("bad --target-libvirt is a usage error")
    func usage() throws {
        #expect(try CLI.run(["verify", "--target-libvirt", "banana", Fixtures.path("qemu64-raw-running.sav")]).status == 1)
    }
}
