import Foundation
import Testing
@testable import SaveImage

/// `saveimg target capture` and `--target host.json`: the four labs' real
/// captures (testdata/targets, taken with `target capture --virsh LAB-virsh`)
/// and hand-made virsh / QEMU stand-ins for the capture itself.
@Suite("Verify: a target captured in one document")
struct VerifyTargetCaptureTests {
    static func capture(_ lab: String) -> String { Fixtures.testdata + "/targets/lab-libvirt-\(lab).json" }

    static func verifier(_ lab: String) throws -> RestoreVerifier {
        let capture = try TargetCapture(json: [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.capture(lab)))),
                                        source: Self.capture(lab))
        let target = try CapturedTarget(capture)
        var verifier = RestoreVerifier(profile: try #require(target.profile), host: nil)
        verifier.target = target
        return verifier
    }

    @Test("each lab's capture: its versions, and every real image of its generation restores; never cannot_tell",
          arguments: ["7.0", "9.0", "11.3", "12.8"])
    func ownGeneration(_ lab: String) throws {
        let verifier = try Self.verifier(lab)
        #expect(verifier.profile.version == LibvirtVersion(lab))
        // the capture's QEMU (patch releases differ from the table's: 9.0's lab runs 7.2.22)
        let measured = try #require(MeasuredRelease.release(verifier.profile.version))
        #expect(verifier.profile.qemu.map { ($0.major, $0.minor) == (measured.qemu.major, measured.qemu.minor) } == true)
        let directory = Fixtures.testdata + "/libvirt-\(lab)"
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() where name.hasSuffix(".sav") {
            let verdict = verifier.verify(path: directory + "/" + name)
            #expect(verdict.outcome == .restorable, "\(name): \(verdict.reasons)")
        }
        for generation in Generations.labs {
            let directory = Fixtures.testdata + "/libvirt-\(generation)"
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".sav") {
                let verdict = verifier.verify(path: directory + "/" + name)
                #expect(verdict.checksNotMade.isEmpty, "\(generation)/\(name) on \(lab): \(verdict.checksNotMade)")
            }
        }
    }

    @Test("the issue's case: an 11.3 image (pc-i440fx-10.0) on the 9.0 host fails with libvirt's machine message")
    func machineFromCapture() throws {
        let verdict = try Self.verifier("9.0").verify(path: Generations.path("11.3", "qemu64-raw.sav"))
        #expect(verdict.outcome == .willFail)
        #expect(verdict.primaryReason?.libvirtMessage
                == "Emulator '/usr/bin/qemu-system-x86_64' does not support machine type 'pc-i440fx-10.0'")
        #expect(verdict.target.contains("QEMU 7.2.22"))
    }

    @Test("verify --target FILE --json: valid against the schema, host kind capture, QEMU from the capture")
    func commandLine() throws {
        let run = try CLI.run(["verify", "--json", "--target", Self.capture("12.8"), Generations.path("7.0", "qemu64-gzip.sav")])
        #expect(run.status == 0, "\(run.output)\(run.stderr)")
        let object = try #require(try JSONSchema.validate(run, "verify").first)
        let target = try #require(object["target"] as? [String: Any])
        #expect(target["libvirt_version"] as? String == "12.8.0" && target["qemu_version"] as? String == "11.1.3")
        #expect((target["host"] as? [String: Any])?["kind"] as? String == "capture")
        let refused = try CLI.run(["verify", "--target", Self.capture("12.8"), "--capabilities", LabTarget.capabilities,
                                   Generations.path("7.0", "qemu64-gzip.sav")])
        #expect(refused.status == 1 && refused.stderr.contains("--target already describes the host"))
        let scan = try CLI.run(["scan", "--target", Self.capture("9.0"), Fixtures.testdata + "/libvirt-12.8"])
        #expect(scan.status == 3)  // pc-i440fx-11.1 and zstd: restore_fails; m52 restores
        #expect(scan.output.contains("1 ok, 2 restore_fails"), "\(scan.output)")
    }

    @Test("capture through a stand-in virsh: versions, capabilities, domcapabilities per virt type and family; schema")
    func captureThroughVirsh() throws {
        let directory = try TemporaryDirectory()
        let caps = LabTarget.capabilities, domcaps = LabTarget.domainCapabilities
        let script = """
            #!/bin/sh
            case "$1" in
              version) printf 'Compiled against library: libvirt 9.0.0\\nUsing library: libvirt 9.0.0\\nUsing API: QEMU 9.0.0\\nRunning hypervisor: QEMU 7.2.22\\n' ;;
              capabilities) cat '\(caps)' ;;
              domcapabilities) cat '\(domcaps)' ;;
              *) exit 1 ;;
            esac
            """
        let virsh = try directory.write("virsh", Array(script.utf8))
        chmod(virsh, 0o755)
        let run = try CLI.run(["target", "capture", "--virsh", virsh])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSchema.validate(run, "target_capture").first)
        #expect(object["libvirt_version"] as? String == "9.0.0" && object["qemu_version"] as? String == "7.2.22")
        let entries = try #require(object["domain_capabilities"] as? [[String: Any]])
        #expect(entries.map { "\($0["virt_type"] ?? "")/\($0["machine"] ?? "")" } == ["qemu/pc", "qemu/q35", "kvm/pc", "kvm/q35"])
        let saved = try directory.write("host.json", run.stdout)
        let verify = try CLI.run(["verify", "--target", saved, Generations.path("11.3", "qemu64-raw.sav")])
        #expect(verify.status == 3 && verify.output.contains("does not support machine type 'pc-i440fx-10.0'"))
    }

    @Test("without a libvirt daemon: the QEMU binary's version and machine list decide the machine check")
    func captureThroughQEMU() throws {
        let directory = try TemporaryDirectory()
        let script = """
            #!/bin/sh
            case "$1" in
              --version) printf 'QEMU emulator version 11.1.3 (Debian 1:11.1.3+ds-1)\\n' ;;
              -machine) printf 'Supported machines are:\\npc                   Standard PC (i440FX + PIIX, 1996) (alias of pc-i440fx-11.1)\\npc-i440fx-11.1       Standard PC (i440FX + PIIX, 1996) (default)\\npc-i440fx-5.2        Standard PC (i440FX + PIIX, 1996) (deprecated)\\n' ;;
            esac
            """
        let qemu = try directory.write("qemu-system-x86_64", Array(script.utf8))
        chmod(qemu, 0o755)
        let run = try CLI.run(["target", "capture", "--virsh", directory.path + "/no-such-virsh", "--qemu-binary", qemu])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSchema.validate(run, "target_capture").first)
        #expect(object["qemu_version"] as? String == "11.1.3" && object["libvirt_version"] == nil)
        let capture = try TargetCapture(json: run.stdout, source: "stand-in")
        let host = try #require(try CapturedTarget(capture).host(domainType: "qemu", arch: "x86_64", machine: "pc-i440fx-5.1"))
        #expect(host.knowsAllMachines && host.machines["x86_64"]?.contains("pc-i440fx-5.2") == true)
        var verifier = RestoreVerifier(profile: ReaderProfile(version: LibvirtVersion(12, 8, 0), qemu: capture.qemu), host: nil)
        verifier.target = try CapturedTarget(capture)
        let verdict = verifier.verify(path: Generations.path("11.3", "qemu64-raw.sav"))
        #expect(verdict.reasons.contains { $0.code == .machineUnsupported })
    }
}
