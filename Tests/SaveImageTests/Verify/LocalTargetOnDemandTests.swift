import Foundation
import Synchronization
import Testing
@testable import SaveImage

/// This machine's libvirt is asked for domcapabilities only for the kinds of
/// guest met, once each (``DomainCapabilitiesOnDemand``); the verdicts are
/// those of a capture holding every domcapabilities. The answers here come
/// from the 9.0 lab's documents, never from the machine running the tests.
@Suite("Verify: this machine's domcapabilities, asked on demand")
struct LocalTargetOnDemandTests {
    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test("four TCG pc images: one question (qemu/x86_64/pc), and the same verdicts as the full capture")
    func oneQuestionPerKind() throws {
        let domcaps = try Self.text(LabTarget.domainCapabilities)
        let capture = TargetCapture(source: "test", hostname: "lab", libvirtVersion: "9.0.0", qemuVersion: "7.2.0",
                                    capabilities: try Self.text(LabTarget.capabilities))
        let asked = Mutex<[String]>([])
        let onDemand = DomainCapabilitiesOnDemand { type, arch, machine in
            asked.withLock { $0.append("\(type)/\(arch)/\(machine)") }
            return type == "qemu" ? domcaps : nil
        }
        var lazy = RestoreVerifier(profile: .libvirt90)
        lazy.target = try CapturedTarget(capture, domainCapabilities: onDemand)
        var full = capture
        full.domainCapabilities = [.init(virtType: "qemu", arch: "x86_64", machine: "pc", xml: domcaps)]
        var eager = RestoreVerifier(profile: .libvirt90)
        eager.target = try CapturedTarget(full)
        for name in ["westmere-raw.sav", "qemu64-raw-running.sav", "qemu64-gzip.sav", "nocpu-raw.sav"] {
            let path = Generations.path("9.0", name)
            let (a, b) = (lazy.verify(path: path), eager.verify(path: path))
            #expect(a.outcome == b.outcome && a.reasons.map(\.code) == b.reasons.map(\.code), "\(name)")
            #expect(a.reasons.map(\.message) == b.reasons.map(\.message), "\(name)")
        }
        #expect(asked.withLock { $0 } == ["qemu/x86_64/pc"])
        #expect(lazy.target?.describesTCG == true)
    }

    @Test("a virt type the capabilities do not list for the arch is not asked; the capabilities answer alone")
    func unlistedTypeNotAsked() throws {
        let capture = TargetCapture(source: "test", libvirtVersion: "9.0.0", capabilities: try Self.text(LabTarget.capabilities))
        let asked = Mutex(0)
        let target = try CapturedTarget(capture, domainCapabilities: DomainCapabilitiesOnDemand { _, _, _ in
            asked.withLock { $0 += 1 }
            return nil
        })
        let host = target.host(domainType: "xen", arch: "x86_64", machine: "pc-i440fx-7.2")
        #expect(asked.withLock { $0 } == 0)
        #expect(host?.knowsAllMachines == true && host?.hostModel == nil)
    }
}
