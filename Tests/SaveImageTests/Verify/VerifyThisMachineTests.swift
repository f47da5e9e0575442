import Foundation
import Testing
@testable import SaveImage

/// With no target host given, verify compares with this machine's CPU
/// (/proc/cpuinfo). That CPU limits only KVM guests: the lab restores every
/// fixture (all `<domain type='qemu'>`, TCG) on a CPU without svm although
/// qemu64 requires it.
@Suite struct VerifyThisMachineTests {
    /// A physical CPU with qemu64's features except svm (an Intel-like host).
    static let cpuinfo = """
        processor\t: 0
        flags\t\t: fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 \
        syscall nx lm pni cx16 popcnt hypervisor lahf_lm
        """

    @Test func physicalCPUDoesNotLimitATCGGuest() throws {
        let host = TargetHost(cpuinfo: Self.cpuinfo, source: "test cpuinfo")
        #expect(host.hostModel == nil && host.comparisonCPU(forDomainType: "qemu", release: LibvirtVersion(9, 0)) == nil)
        let verdict = RestoreVerifier(host: host).verify(path: Fixtures.path("qemu64-raw-running.sav"))
        // Not bound by /proc/cpuinfo; the TCG CPU (domcapabilities) and the machine list were not given: cannot tell.
        #expect(verdict.outcome == .cannotTell)
        #expect(verdict.reasons.contains { $0.code == .cpuHostNotChecked && $0.severity == .cannotTell })
        #expect(!verdict.reasons.contains { $0.code == .cpuMissingFeatures })
    }

    @Test func physicalCPULimitsAKVMGuest() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav") { bytes in
            let from = Array("<domain type='qemu'>".utf8), to = Array("<domain type='kvm' >".utf8)
            #expect(Array(bytes[92..<(92 + from.count)]) == from)
            bytes.replaceSubrange(92..<(92 + from.count), with: to)
        }
        #expect(try image.read().domain.type == "kvm")
        let verdict = RestoreVerifier(host: TargetHost(cpuinfo: Self.cpuinfo, source: "test cpuinfo")).verify(path: image.path)
        #expect(verdict.outcome == .willFail)
        let missing = try #require(verdict.reasons.first { $0.code == .cpuMissingFeatures })
        #expect(missing.libvirtMessage?.contains("svm") == true)
    }

    @Test func directoryVerifySkipsFilesThatAreNotSaveImages() throws {
        let result = try CLI.run(["verify"] + LabTarget.arguments + [Fixtures.testdata + "/libvirt-9.0"])
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n").dropFirst()  // the target line
        #expect(lines.count == Fixtures.libvirt90Images.count + 1)
        #expect(lines.last?.hasPrefix("8 images: 8 restorable") == true)
        #expect(!result.output.contains("MANIFEST"))
    }
}
