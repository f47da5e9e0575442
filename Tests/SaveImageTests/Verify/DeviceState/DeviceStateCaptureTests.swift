import Foundation
import Testing
@testable import SaveImage

/// The target's vmstate descriptions and firmware files as a capture carries
/// them (testdata/targets: the four labs, re-captured with `saveimg target
/// capture --run LAB-run`), and verify's rule that the device state is
/// checked or the answer is cannot_tell.
@Suite("Device state: the target capture's vmstate and firmware files")
struct DeviceStateCaptureTests {
    static func capture(_ lab: String) throws -> TargetCapture {
        let path = Fixtures.testdata + "/targets/lab-libvirt-\(lab).json"
        return try TargetCapture(json: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), source: path)
    }

    static func dump(_ name: String) throws -> TargetVMStateDump {
        let path = Fixtures.testdata + "/real-guests/" + name + ".vmstate.json"
        return try TargetVMStateDump(json: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), path: path)
    }

    @Test("identical descriptions across machine types are stored once, and come back as they were")
    func deduplicated() throws {
        let pc = try Self.dump("qemu-11.1.3-pc"), q35 = try Self.dump("qemu-11.1.3-q35")
        var store = CapturedVMState()
        for machine in ["pc-i440fx-10.0", "pc-i440fx-11.1"] { store.add(pc, machine: machine) }
        for machine in ["pc-q35-10.0", "pc-q35-11.1"] { store.add(q35, machine: machine) }
        // pc and q35 dumps of one QEMU share most descriptions; equal dumps share one set.
        #expect(store.descriptions.count < pc.descriptions.count + q35.descriptions.count)
        #expect(store.descriptions.count >= max(pc.descriptions.count, q35.descriptions.count))
        #expect(store.sets.count <= 2)
        #expect(store.machines["pc-i440fx-10.0"] == store.machines["pc-i440fx-11.1"])
        #expect(store.dump(exactly: "pc-q35-11.1")?.descriptions == q35.descriptions)
        #expect(store.dump(exactly: "pc-q35-9.9") == nil)
        // The compact JSON form reads back to the same store.
        let json = try JSONEncoder().encode(store)
        #expect(try JSONDecoder().decode(CapturedVMState.self, from: json) == store)
        // A hand-edited index out of range is skipped, not trapped on.
        var broken = store
        broken.sets[0].append(99_999)
        #expect(broken.dump(exactly: "pc-i440fx-10.0")?.descriptions.count == store.dump(exactly: "pc-i440fx-10.0")?.descriptions.count)
    }

    @Test("each lab capture holds its QEMU's dumps for every PC machine type and its firmware files, in well under 1 MB",
          arguments: [("7.0", "pc-i440fx-5.2", "/usr/share/OVMF/OVMF_CODE.fd", UInt64(1966080)),
                      ("9.0", "pc-q35-7.2", "/usr/share/OVMF/OVMF_CODE.fd", UInt64(1966080)),
                      ("11.3", "pc-q35-10.0", "/usr/share/OVMF/OVMF_CODE_4M.fd", UInt64(3653632)),
                      ("12.8", "pc-q35-11.1", "/usr/share/OVMF/OVMF_CODE_4M.fd", UInt64(3653632))])
    func labCaptures(_ lab: String, _ machine: String, _ loader: String, _ size: UInt64) throws {
        let capture = try Self.capture(lab)
        let vmstate = try #require(capture.vmstate)
        #expect(vmstate.machines.count >= 30)
        let dump = try #require(vmstate.dump(exactly: machine))
        #expect(dump.descriptions["virtio-blk"] != nil)
        #expect(dump.descriptions["mc146818rtc"]?.version == 3)
        #expect(capture.firmwareFiles?[loader] == size)
        // Debian 13 and sid ship no 2 MiB build: the capture says so by its absence.
        if lab == "11.3" || lab == "12.8" { #expect(capture.firmwareFiles?["/usr/share/OVMF/OVMF_CODE.fd"] == nil) }
        let bytes = try JSONEncoder().encode(vmstate).count
        #expect(bytes < 200_000)
    }

    @Test("without the target's vmstate descriptions the device state is cannot_tell, never ok; with the capture it is judged")
    func noOkWithoutDeviceCheck() throws {
        let path = Generations.path("9.0", "qemu64-raw-running.sav")
        // --target-libvirt 9.0 with its capabilities and domcapabilities: no -dump-vmstate.
        let bare = try Generations.bare("9.0").verify(path: path)
        #expect(bare.outcome == .cannotTell)
        let notChecked = try #require(bare.reasons.first { $0.code.rawValue == "device_state_not_checked" })
        #expect(notChecked.severity == .cannotTell)
        #expect(notChecked.message.contains("pc-i440fx-7.2"))
        #expect(notChecked.message.contains("saveimg target capture"))
        // The lab's own capture: the sections are compared, and the image restores there (it did, for real).
        let target = try CapturedTarget(try Self.capture("9.0"))
        var verifier = RestoreVerifier(profile: try #require(target.profile), host: nil)
        verifier.target = target
        let judged = verifier.verify(path: path)
        #expect(!judged.reasons.contains { $0.code.rawValue == "device_state_not_checked" })
        #expect(judged.outcome == .restorable)
    }

    @Test("a compressed stream is decoded once: the walk keeps the end the device-state check reads")
    func walkKeepsTail() throws {
        let image = try SaveImage(contentsOf: Generations.path("9.0", "qemu64-gzip.sav"))
        let verifier = try Generations.verifier("9.0")
        #expect(verifier.walksWholeStream(image))
        let walk = try #require(verifier.walkStream(image))
        let kept = try #require(walk.tail)
        #expect(kept.offsetKind == "decoded stream offset")
        // The same VM description a separate decode finds, at the same decoded offset.
        let decoded = try #require(DeviceStateEvidence.tail(of: image, decompress: true))
        #expect(kept.base + UInt64(kept.descriptionRange.lowerBound) == decoded.base + UInt64(decoded.descriptionRange.lowerBound))
        #expect(DeviceStateEvidence.savedDeviceStates(in: kept) == DeviceStateEvidence.savedDeviceStates(in: decoded))
    }

    @Test("firmware: a listed loader of unknown size is cannot_tell; a file absent from a listed directory fails; an NVRAM file outside them is not guessed")
    func firmwareFiles() throws {
        let element = try XMLParser.parse(Array(FirmwareCompatibilityTests.domain.utf8), name: "domain XML")
        let saved = FirmwareCompatibility.Saved(domain: element, ramBlocks: [("system.flash0", 1966080), ("system.flash1", 131072)])
        // Only domcapabilities' list (9.0 lists the 2 MiB build): the size is not known.
        let listed = FirmwareCompatibility.Target(loaderValues: ["/usr/share/OVMF/OVMF_CODE.fd"], source: "9.0 domcapabilities")
        let unknown = FirmwareCompatibility.check(saved, target: listed)
        #expect(unknown.map(\.kind) == [.loaderSizeNotChecked])
        #expect(unknown.first?.willFail == false)
        // The 12.8 capture's files: /usr/share/OVMF listed, no OVMF_CODE.fd -> fails; the NVRAM file is in /tmp/rg/guest,
        // which was not listed, so whether libvirt needs the (missing) template is not known.
        let capture = try Self.capture("12.8")
        let sid = FirmwareCompatibility.Target(loaderValues: capture.loaderValues, files: capture.firmwareFiles, source: "12.8 capture")
        let problems = FirmwareCompatibility.check(saved, target: sid)
        #expect(problems.first { $0.kind == .loaderMissing }?.willFail == true)
        #expect(problems.first { $0.kind == .nvramTemplateMissing }?.willFail == false)
        // The same guest with its NVRAM file in a listed directory: missing for certain, and so is its template.
        var inListed = saved
        inListed.nvram = "/usr/share/OVMF/guest_VARS.fd"
        #expect(FirmwareCompatibility.check(inListed, target: sid).first { $0.kind == .nvramTemplateMissing }?.willFail == true)
        // The 9.0 capture has both builds at the saved sizes: nothing to say.
        let bookworm = try Self.capture("9.0")
        let nine = FirmwareCompatibility.Target(loaderValues: bookworm.loaderValues, files: bookworm.firmwareFiles, source: "9.0 capture")
        #expect(FirmwareCompatibility.check(saved, target: nine).isEmpty)
    }

    @Test("target capture through a stand-in QEMU (and --run prefix): every PC machine type dumped once, stored deduplicated, schema-valid; the local dumper asks once per machine type")
    func captureDumps() throws {
        let directory = try TemporaryDirectory()
        let fixture = Fixtures.testdata + "/real-guests/qemu-11.1.3-pc.vmstate.json"
        let log = directory.path + "/calls.log"
        let script = """
            #!/bin/sh
            echo "$*" >> '\(log)'
            case "$1" in
              --version) printf 'QEMU emulator version 11.1.3 (Debian 1:11.1.3+ds-1)\\n' ;;
              -machine)
                if [ "$2" = help ]; then
                  printf 'Supported machines are:\\npc                   Standard PC (alias of pc-i440fx-11.1)\\npc-i440fx-11.1       Standard PC (default)\\npc-i440fx-10.0       Standard PC\\nmicrovm              microvm\\n'
                else
                  cp '\(fixture)' "$7"
                fi ;;
            esac
            """
        let qemu = try directory.write("qemu-system-x86_64", Array(script.utf8))
        chmod(qemu, 0o755)
        let run = try CLI.run(["target", "capture", "--virsh", directory.path + "/no-such-virsh", "--qemu-binary", qemu, "--run", "/usr/bin/env"])
        #expect(run.status == 0, "\(run.stderr)")
        _ = try #require(try JSONSchema.validate(run, "target_capture").first)
        let capture = try TargetCapture(json: run.stdout, source: "stand-in")
        let vmstate = try #require(capture.vmstate)
        // pc (an alias) and microvm are not dumped; the two versioned machine types share one set.
        #expect(Set(vmstate.machines.keys) == ["pc-i440fx-11.1", "pc-i440fx-10.0"])
        #expect(vmstate.sets.count == 1)
        #expect(vmstate.dump(exactly: "pc-i440fx-10.0")?.descriptions == (try Self.dump("qemu-11.1.3-pc")).descriptions)
        // The dump files are gone.
        let calls = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let files = calls.compactMap { $0.split(separator: " ").last }.filter { $0.hasPrefix("/tmp/saveimg-vmstate-") }
        #expect(files.count == 2 && files.allSatisfy { !FileManager.default.fileExists(atPath: String($0)) })
        // The local-host dumper: asked once per machine type, however many images.
        let dumper = VMStateDumper(binary: qemu)
        for _ in 0..<3 { #expect(dumper.dump(machine: "pc-q35-11.1") != nil) }
        let after = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(after.count == calls.count + 1)
        // The local host: only the QEMU libvirt runs is asked (its --version against libvirt's), once.
        #expect(VMStateDumper(binary: qemu, expectedVersion: "11.1.3").dump(machine: "pc-q35-11.0") != nil)
        let other = VMStateDumper(binary: qemu, expectedVersion: "10.0.13")
        #expect(other.dump(machine: "pc-q35-11.0") == nil && other.dump(machine: "pc-q35-10.0") == nil && !other.isTargetQEMU)
        let versions = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").filter { $0 == "--version" }
        #expect(versions.count == 2 + 1)  // the capture's, the matching dumper's, the other dumper's (once)
        // A QEMU that gives nothing: nil, and the verdict stays cannot_tell.
        #expect(VMStateDumper(binary: directory.path + "/no-such-qemu").dump(machine: "pc-q35-11.1") == nil)
    }

    @Test("retarget judges what it writes: the plan decodes a compressed source a bounded read cannot judge, and the output is verified whole")
    func retargetChecksDeviceState() throws {
        // A gzip image treated as "large" (automatic walk limit 0): verify alone cannot tell, retarget's plan and output check can.
        var verifier = try Generations.verifier("9.0")
        verifier.automaticDeepLimit = 0
        let path = Generations.path("9.0", "qemu64-gzip.sav")
        let bounded = verifier.verify(path: path)
        #expect(bounded.outcome == .cannotTell)
        #expect(bounded.checksNotMade.contains { $0.code.rawValue == "device_state_not_checked" })
        let plan = RetargetPlan.make(for: try SaveImage(contentsOf: path), verifier: verifier)
        #expect(plan.verdict.outcome == .restorable, "\(plan.verdict.reasons)")
        #expect(plan.steps.isEmpty && plan.refusals.isEmpty)
        #expect(RetargetPlan.verifyOutput(path: path, verifier: verifier).outcome == .restorable)
    }
}
