import Foundation
import Testing
@testable import SaveImage

/// With no target option, verify and scan judge against this machine as it
/// is: its running libvirt through virsh, else its QEMU binary, and say which.
/// Stand-ins on PATH play the machine (the real lookup is measured on the labs).
@Suite("Verify: this machine as the default target")
struct VerifyLocalHostTests {
    static func standIns(virsh: Bool) throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        if virsh {
            let script = """
                #!/bin/sh
                case "$1" in
                  version) printf 'Using library: libvirt 9.0.0\\nRunning hypervisor: QEMU 7.2.22\\n' ;;
                  capabilities) cat '\(LabTarget.capabilities)' ;;
                  domcapabilities) cat '\(LabTarget.domainCapabilities)' ;;
                  *) exit 1 ;;
                esac
                """
            chmod(try directory.write("virsh", Array(script.utf8)), 0o755)
        } else {
            chmod(try directory.write("virsh", Array("#!/bin/sh\necho 'error: failed to connect to the hypervisor' >&2\nexit 1\n".utf8)), 0o755)
        }
        let qemu = """
            #!/bin/sh
            case "$1" in
              --version) printf 'QEMU emulator version 11.1.3\\n' ;;
              -machine) printf 'Supported machines are:\\npc-i440fx-11.1       Standard PC\\npc-i440fx-5.2        Standard PC (deprecated)\\n' ;;
            esac
            """
        chmod(try directory.write("qemu-system-x86_64", Array(qemu.utf8)), 0o755)
        return directory
    }

    static func environment(_ directory: TemporaryDirectory) -> [String: String] {
        ["SAVEIMG_LOCAL_TARGET": "virsh", "PATH": directory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
    }

    @Test("running libvirt: the issue's case, an 11.3 image on a 9.0 host, fails with libvirt's machine message")
    func runningLibvirt() throws {
        let machine = try Self.standIns(virsh: true)
        let run = try CLI.run(["verify", Generations.path("11.3", "qemu64-raw.sav")], environment: Self.environment(machine))
        #expect(run.status == 3, "\(run.output)\(run.stderr)")
        #expect(run.output.contains("this machine's running libvirt (virsh: libvirt 9.0.0, QEMU 7.2.22)"))
        #expect(run.output.contains("does not support machine type 'pc-i440fx-10.0'"))
        let json = try CLI.run(["verify", "--json", Generations.path("9.0", "qemu64-gzip.sav")], environment: Self.environment(machine))
        let object = try #require(try JSONSchema.validate(json, "verify").first)
        #expect(object["verdict"] as? String == "ok")
        #expect(((object["target"] as? [String: Any])?["host"] as? [String: Any])?["kind"] as? String == "local")
        let scan = try CLI.run(["scan", Fixtures.testdata + "/libvirt-12.8"], environment: Self.environment(machine))
        #expect(scan.stderr.contains("this machine's running libvirt") && scan.output.contains("1 ok, 2 restore_fails"))
    }

    @Test("no daemon: the QEMU binary's machine list, and the output says so")
    func qemuBinary() throws {
        let machine = try Self.standIns(virsh: false)
        let run = try CLI.run(["verify", Generations.path("9.0", "qemu64-raw-running.sav")], environment: Self.environment(machine))
        #expect(run.output.contains("this machine's QEMU binary (no libvirt daemon answered"), "\(run.output)")
        #expect(run.output.contains("machine type pc-i440fx-7.2"))
        #expect(run.status == 3)
    }

    @Test("SAVEIMG_LOCAL_TARGET=off, or any target option: the machine is not asked")
    func notAsked() throws {
        let machine = try Self.standIns(virsh: true)
        var environment = Self.environment(machine)
        environment["SAVEIMG_LOCAL_TARGET"] = "off"
        let off = try CLI.run(["verify", Generations.path("11.3", "qemu64-raw.sav")], environment: environment)
        #expect(!off.output.contains("running libvirt") && off.status == 4)
        let given = try CLI.run(["verify", "--target-libvirt", "11.3", Generations.path("11.3", "qemu64-raw.sav")],
                                environment: Self.environment(machine))
        #expect(!given.output.contains("running libvirt"))
    }
}
