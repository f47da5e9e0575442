import Foundation
import Testing
@testable import SaveImage

/// The machine-type forecast: the first QEMU that refuses an image's machine
/// type (include/hw/core/boards.h), checked against real QEMU in the labs
/// (testdata/forecast/MANIFEST.md, testdata/libvirt-12.8/MANIFEST.md).
@Suite("Verify: when QEMU will refuse the machine type")
struct VerifyForecastTests {
    static let m51 = Fixtures.testdata + "/forecast/qemu64-m51-raw.sav"

    @Test("the rule: deprecated after 3 years, refused after 6, automatic from 10.1; measured lists agree")
    func rule() throws {
        let m51 = try #require(MachineTypeLifecycle(machine: "pc-i440fx-5.1"))
        #expect(m51.deprecatedFrom == QEMUVersion(8, 1) && m51.refusedFrom == QEMUVersion(11, 1))
        #expect(MachineTypeLifecycle(machine: "pc-q35-5.2")?.refusedFrom == QEMUVersion(11, 2))
        #expect(MachineTypeLifecycle(machine: "pc-i440fx-4.1")?.refusedFrom == QEMUVersion(10, 1))
        #expect(MachineTypeLifecycle(machine: "pc-i440fx-2.4")?.refusedFrom == QEMUVersion(10, 1))  // 10.0 still has it
        #expect(MachineTypeLifecycle(machine: "pc-i440fx-2.1")?.refusedFrom == QEMUVersion(9, 1))  // removed by hand
        #expect(MachineTypeLifecycle(machine: "pc") == nil && MachineTypeLifecycle(machine: "virt-9.0") == nil)
        // The labs' real machine lists: every versioned type they list is registered by the rule, and the
        // oldest ones they lack are refused by it.
        for (lab, qemu) in [("11.3", QEMUVersion(10, 0)), ("12.8", QEMUVersion(11, 1))] {
            let host = try Generations.capabilities(lab)
            for machine in host.machines["x86_64"] ?? [] {
                guard let lifecycle = MachineTypeLifecycle(machine: machine) else { continue }
                #expect(lifecycle.isRegistered(in: qemu), "\(lab) lists \(machine)")
            }
        }
        let listed12 = try Generations.capabilities("12.8").machines["x86_64"] ?? []
        #expect(!listed12.contains("pc-i440fx-5.1") && listed12.contains("pc-i440fx-5.2"))
        let deprecated12 = try Generations.capabilities("12.8").deprecatedMachines["x86_64"] ?? []
        #expect(deprecated12.contains("pc-i440fx-5.2") && deprecated12.contains("pc-q35-8.1") && !deprecated12.contains("pc-i440fx-8.2"))
    }

    @Test("a 7.0 image pinned to pc-i440fx-5.1: refused by QEMU 11.1, accepted by 10.0 (measured), as forecast")
    func pinnedImage() throws {
        let on113 = try VerifyTargetCaptureTests.verifier("11.3").verify(path: Self.m51)
        #expect(on113.outcome == .restorable, "\(on113.reasons)")
        #expect(on113.reasons.contains { $0.code == .machineDeprecated })
        let on128 = try VerifyTargetCaptureTests.verifier("12.8").verify(path: Self.m51)
        #expect(on128.outcome == .willFail)
        #expect(on128.primaryReason?.libvirtMessage
                == "Emulator '/usr/bin/qemu-system-x86_64' does not support machine type 'pc-i440fx-5.1'")
        for (qemu, fails) in [("10.0", false), ("11.0", false), ("11.1", true)] {
            let run = try CLI.run(["verify", "--target-libvirt", "12.8", "--qemu", qemu, "--no-host", Self.m51])
            #expect(run.output.contains("[machine_unsupported]") == fails, "QEMU \(qemu): \(run.output)")
        }
    }

    @Test("pc-i440fx-5.2: accepted by 11.1 and deprecated there; --qemu 11.2 forecasts the failure; scan --forecast")
    func m52() throws {
        let path = Generations.path("12.8", "qemu64-m52-raw.sav")
        let capture = VerifyTargetCaptureTests.capture("12.8")
        let now = try CLI.run(["verify", "--forecast", "--json", "--target", capture, path])
        #expect(now.status == 0, "\(now.output)")
        let object = try #require(try JSONSchema.validate(now, "verify").first)
        let forecast = try #require(object["forecast"] as? [String: Any])
        #expect(forecast["refused_from"] as? String == "11.2" && forecast["deprecated_on_target"] as? Bool == true)
        let upgraded = try CLI.run(["verify", "--target", capture, "--qemu", "11.2", path])
        #expect(upgraded.status == 3 && upgraded.output.contains("it goes with QEMU 11.2.0"))
        let scan = try CLI.run(["scan", "--forecast", "--json", "--target", capture, Fixtures.testdata + "/libvirt-12.8"])
        let lines = try JSONSchema.validate(scan, "scan")
        let refused = lines.compactMap { ($0["forecast"] as? [String: Any])?["refused_from"] as? String }
        #expect(refused.sorted() == ["11.2", "17.1", "17.1"], "\(refused)")  // pc-i440fx-11.1: 11.1 + 6
    }
}
