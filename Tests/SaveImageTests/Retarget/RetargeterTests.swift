import Foundation
import Testing
@testable import SaveImage

/// ``Retargeter``: every rewrite in one staged output, each step once, and
/// "unchanged" only when it is true. On the westmere fixture as libvirt 3.x
/// wrote it (QEMU's updated CPU in the domain XML, no cookie), stored as
/// zstd: for libvirt 3.2 it needs both the CPU moved into the cookie and the
/// stream converted (3.2 restores neither zstd nor that CPU on the lab host).
@Suite("Retargeter: one staged output")
struct RetargeterTests {
    static let original = "<cpu mode='custom' match='exact' check='partial'>\n    <model fallback='forbid'>Westmere</model>\n  </cpu>"

    static func target(_ version: String = "3.2") -> [String] {
        ["--target-libvirt", version,
         "--capabilities", Fixtures.testdata + "/capabilities/lab-libvirt-9.0-capabilities.xml",
         "--domcapabilities", Fixtures.testdata + "/capabilities/lab-libvirt-9.0-domcapabilities.xml",
         // the 9.0 lab QEMU's vmstate descriptions (without them the device state is cannot_tell)
         "--vmstate", Fixtures.testdata + "/targets/lab-libvirt-9.0.json"]
    }

    /// The regressed image as zstd, and the CPU as defined.
    static func brokenZstd(in directory: TemporaryDirectory) throws -> (image: String, original: String) {
        let xml = try VerifyLab.documents("westmere-raw.sav").xml
        let raw = try VerifyLab.image("westmere-raw.sav", xml: VerifyLab.replacingCPU(in: xml, with: VerifyRegression2017Tests.updatedCPU),
                                      cookie: .some(nil), at: directory)
        let image = directory.path + "/broken-zstd.sav"
        _ = try SaveImageConverter.convert(input: raw, output: image, request: ConversionRequest(format: .zstd))
        try FileManager.default.removeItem(atPath: raw)
        return (image, try directory.write("original-cpu.xml", Array(Self.original.utf8)))
    }

    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test("both steps in place: one output with the CPU in the cookie and a gzip stream; the raw stream unchanged")
    func bothStepsInPlace() throws {
        let directory = try TemporaryDirectory()
        let (image, original) = try Self.brokenZstd(in: directory)
        let rawBefore = try DeepCheck.run(path: image).sha256
        let run = try CLI.run(["retarget", image, "--original-cpu", original, "--json"] + Self.target())
        #expect(run.status == 0, "\(run.output)\(run.stderr)")
        let object = try #require(try JSONSchema.validate(run, "retarget").first)
        #expect(object["plan"] as? [String] == [RetargetPlan.describe(.moveCPUToCookie),
                                               RetargetPlan.describe(.convert(from: .zstd, to: .gzip))])
        #expect(object["verdict_before"] as? String == "restore_fails")
        #expect(object["verdict_after"] as? String == "ok")
        #expect(object["file_changed"] as? Bool == true && object["outcome"] as? String == "written")
        let written = try SaveImage(contentsOf: image)
        #expect(written.header.format == .gzip)
        #expect(written.domain.cpu?.features.isEmpty == true)
        #expect(written.cookie?.cpu?.requiredFeatureNames == ["x2apic", "pclmuldq", "hypervisor", "arat"])
        #expect(try DeepCheck.run(path: image).sha256 == rawBefore)
        // Nothing left beside it: no temporary file, no journal.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["broken-zstd.sav", "original-cpu.xml"])
    }

    /// The case: before, the CPU was moved in place first and the
    /// conversion made after, so a conversion that failed (here: the file
    /// size limit, EFBIG) left FILE edited while the output said "FILE unchanged".
    @Test("a write that fails leaves FILE byte-identical, and only then says unchanged")
    func failedWriteLeavesInputUnchanged() throws {
        let directory = try TemporaryDirectory()
        let (image, original) = try Self.brokenZstd(in: directory)
        let before = try Self.bytes(image)
        // 150 KiB: the in-place edit and its journal fit, the gzip output (about 320 KiB) does not.
        let script = "trap '' XFSZ; ulimit -f 300; exec \"$0\" \"$@\""
        let run = try TestProcess.run(["/bin/sh", "-c", script, CLI.executable, "retarget", image, "--original-cpu", original]
                                      + Self.target())
        let output = String(decoding: run.stdout, as: UTF8.self)
        #expect(run.status == 2, "\(output)")
        #expect(output.contains("nothing written (\(image) unchanged)"), "\(output)")
        #expect(try Self.bytes(image) == before)
        #expect(try SaveImage(contentsOf: image).cookie == nil)
        // The same failure as JSON: outcome failed, the error, FILE unchanged.
        let json = try TestProcess.run(["/bin/sh", "-c", script, CLI.executable, "retarget", image, "--original-cpu", original,
                                        "--json"] + Self.target())
        let result = CLI.Result(status: json.status, stdout: json.stdout, stderr: String(decoding: json.stderr, as: UTF8.self))
        let object = try #require(try JSONSchema.validate(result, "retarget").first)
        #expect(object["outcome"] as? String == "failed" && object["file_changed"] as? Bool == false)
        #expect((object["error"] as? [String: Any])?["message"] as? String != nil)
        #expect(try Self.bytes(image) == before)
    }

    @Test("an existing --output is refused without offering a --force retarget does not have")
    func existingOutput() throws {
        let directory = try TemporaryDirectory()
        let (image, original) = try Self.brokenZstd(in: directory)
        let output = try directory.write("taken.sav", Array("keep me".utf8))
        let run = try CLI.run(["retarget", image, "--original-cpu", original, "--output", output] + Self.target())
        #expect(run.status == 2)
        #expect(run.output.contains("retarget does not overwrite it") && !run.output.contains("--force"), "\(run.output)")
        #expect(try Self.bytes(output) == Array("keep me".utf8))
    }

    @Test("--format naming a format the target cannot restore is a usage error (exit 1), not a refusal")
    func unrestorableFormatIsUsage() throws {
        let run = try CLI.run(["retarget", Generations.path("9.0", "qemu64-raw-running.sav"), "--format", "sparse"]
                              + Self.target("9.0"))
        #expect(run.status == 1)
        #expect(run.stderr.contains("libvirt 9.0.0 does not restore sparse images (libvirt does from 11.2.0)"), "\(run.stderr)")
    }

    @Test("--managed-save NAME, and --dry-run's JSON: dry_run, the output it would write, FILE untouched")
    func managedSaveDryRun() throws {
        let directory = try TemporaryDirectory()
        let (image, original) = try Self.brokenZstd(in: directory)
        try FileManager.default.moveItem(atPath: image, toPath: directory.path + "/vm1.save")
        let before = try Self.bytes(directory.path + "/vm1.save")
        let run = try CLI.run(["retarget", "--managed-save", "vm1", "--managed-save-dir", directory.path, "--original-cpu", original,
                               "--dry-run", "--json"] + Self.target())
        #expect(run.status == 0, "\(run.output)\(run.stderr)")
        let object = try #require(try JSONSchema.validate(run, "retarget").first)
        #expect(object["dry_run"] as? Bool == true && object["outcome"] as? String == "planned")
        #expect(object["output"] as? String == directory.path + "/vm1.save")
        #expect(object["verdict_after"] == nil && object["file_changed"] as? Bool == false)
        #expect(((object["target"] as? [String: Any])?["libvirt_version"]) as? String == "3.2.0")
        #expect(try Self.bytes(directory.path + "/vm1.save") == before)
    }

    @Test("the plan holds each step once, the CPU move first, one conversion")
    func orderedSteps() {
        let steps: [RetargetPlan.Step] = [.convert(from: .zstd, to: .gzip), .moveCPUToCookie, .moveCPUToCookie,
                                          .convert(from: .zstd, to: .raw), .convert(from: .zstd, to: .gzip)]
        #expect(RetargetPlan.ordered(steps) == [.moveCPUToCookie, .convert(from: .zstd, to: .gzip)])
        #expect(RetargetPlan.ordered([.moveCPUToCookie]) == [.moveCPUToCookie])
        #expect(RetargetPlan.ordered([]) == [])
    }
}
