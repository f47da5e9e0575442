import Foundation
import Testing
@testable import SaveImage

/// `saveimg retarget` on real images and the labs' capabilities.
@Suite("retarget")
struct RetargetCommandTests {
    static func caps(_ lab: String) -> [String] {
        ["--capabilities", Fixtures.testdata + "/capabilities/libvirt-\(lab)-capabilities.xml",
         "--domcapabilities", Fixtures.testdata + "/capabilities/libvirt-\(lab)-domcapabilities-qemu.xml",
         "--vmstate", Fixtures.testdata + "/targets/lab-libvirt-\(lab).json"]
    }

    static func copy(_ generation: String, _ name: String, to directory: TemporaryDirectory) throws -> String {
        try directory.write(name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: Generations.path(generation, name)))))
    }

    @Test("zstd for a libvirt before 10.4: converted to gzip, verified, input untouched")
    func zstdToGzip() throws {
        let directory = try TemporaryDirectory()
        let input = try Self.copy("11.3", "qemu64-zstd.sav", to: directory)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let output = directory.path + "/out.sav"
        let run = try CLI.run(["retarget", input, "--target-libvirt", "10.3"] + Self.caps("11.3") + ["--output", output])
        #expect(run.status == 0, "\(run.output)\(run.stderr)")
        #expect(run.output.contains("did: convert the stream from zstd to gzip"))
        let written = try SaveImage(contentsOf: output)
        #expect(written.header.format == .gzip)
        #expect(written.region.domainXML.text == (try SaveImage(contentsOf: input)).region.domainXML.text)
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
        let deep = try DeepCheck.run(path: output)
        #expect(deep.isValid, "\(deep.problems)")
        #expect(deep.sha256 == (try DeepCheck.run(path: input)).sha256)  // the same raw stream
    }

    @Test("a machine type the target's QEMU lacks is refused with libvirt's message; nothing written")
    func machineRefused() throws {
        let directory = try TemporaryDirectory()
        let input = try Self.copy("11.3", "qemu64-zstd.sav", to: directory)
        let output = directory.path + "/out.sav"
        let run = try CLI.run(["retarget", input, "--target-libvirt", "9.0", "--json"] + Self.caps("9.0") + ["--output", output])
        #expect(run.status == 3)
        let object = try #require(try JSONSchema.validate(run, "retarget").first)
        #expect(object["outcome"] as? String == "refused" && object["output"] == nil)
        let refusals = try #require(object["refusals"] as? [[String: Any]])
        #expect(refusals.first?["code"] as? String == "machine_unsupported")
        #expect(refusals.first?["libvirt_message"] as? String
                == "Emulator '/usr/bin/qemu-system-x86_64' does not support machine type 'pc-i440fx-10.0'")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test("sparse asked for: written for 11.3 (or a clean failure, nothing written); for 9.0 a usage error")
    func sparse() throws {
        let directory = try TemporaryDirectory()
        let input = try Self.copy("9.0", "qemu64-raw-running.sav", to: directory)
        let output = directory.path + "/out.sav"
        let run = try CLI.run(["retarget", input, "--target-libvirt", "11.3", "--format", "sparse"] + Self.caps("11.3")
                              + ["--output", output])
        if run.status == 0 {  // once the converter writes sparse
            #expect(try SaveImage(contentsOf: output).header.format == .sparse)
        } else {
            #expect(run.status == 2, "\(run.output)")
            #expect(!FileManager.default.fileExists(atPath: output))
        }
        let old = try CLI.run(["retarget", input, "--target-libvirt", "9.0", "--format", "sparse"] + Self.caps("9.0")
                              + ["--output", output])
        #expect(old.status == 1)
        #expect(old.stderr.contains("libvirt does from 11.2.0"))
    }

    @Test("a cookie CPU the target host lacks a feature of is refused, not 'moved into the cookie' again")
    func cookieCPUMissingFeatureRefused() throws {
        let directory = try TemporaryDirectory()
        let input = try Self.copy("9.0", "westmere-raw.sav", to: directory)
        let before = try Array(Data(contentsOf: URL(fileURLWithPath: input)))
        // libvirt 9.0's TCG host-model with pclmuldq disabled: the cookie's Westmere +pclmuldq cannot run.
        let caps = try String(contentsOfFile: Fixtures.testdata + "/capabilities/libvirt-9.0-domcapabilities-qemu.xml", encoding: .utf8)
            .replacingOccurrences(of: "<feature policy='require' name='acpi'/>",
                                  with: "<feature policy='require' name='acpi'/><feature policy='disable' name='pclmuldq'/>")
        let domcaps = try directory.write("domcaps.xml", Array(caps.utf8))
        let original = try directory.write("orig.xml", Array(
            "<cpu mode='custom' match='exact' check='partial'><model fallback='forbid'>Westmere</model></cpu>".utf8))
        let output = directory.path + "/out.sav"
        let run = try CLI.run(["retarget", input, "--target-libvirt", "9.0", "--domcapabilities", domcaps,
                               "--original-cpu", original, "--output", output])
        #expect(run.status == 3, "\(run.output)")
        #expect(run.output.contains("cpu_missing_features"))
        #expect(!run.output.contains("move QEMU's updated CPU"))
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: input))) == before)
    }

    @Test("--dry-run shows the plan and writes nothing; an image that restores needs nothing")
    func dryRun() throws {
        let directory = try TemporaryDirectory()
        let input = try Self.copy("11.3", "qemu64-zstd.sav", to: directory)
        let run = try CLI.run(["retarget", input, "--target-libvirt", "10.0", "--no-host", "--dry-run"])
        #expect(run.status == 0)
        #expect(run.output.contains("would: convert the stream from zstd to gzip"))
        #expect(try SaveImage(contentsOf: input).header.format == .zstd)
        let same = try CLI.run(["retarget", Generations.path("9.0", "qemu64-raw-running.sav"), "--target-libvirt", "11.3"]
                               + Self.caps("11.3"))
        #expect(same.status == 0 && same.output.contains("nothing to do"))
    }
}
