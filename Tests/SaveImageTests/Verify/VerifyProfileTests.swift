import Testing
@testable import SaveImage

@Suite("Verify: reader profiles, CPU map, host CPU")
struct VerifyProfileTests {
    @Test func versions() {
        #expect(LibvirtVersion("3.2") == LibvirtVersion(3, 2, 0))
        #expect(LibvirtVersion("9.0.0")! > LibvirtVersion("3.10")!)
        #expect(LibvirtVersion("x") == nil && LibvirtVersion("1.2.3.4") == nil && LibvirtVersion("") == nil)
        #expect(ReaderProfile(named: "3.4")?.readsCookie == false)
        #expect(ReaderProfile(named: "3.5")?.readsCookie == true)
        #expect(ReaderProfile(named: "lab") == .libvirt90)
    }

    @Test func cpuMap() throws {
        #expect(CPUMap.release(knowingFeature: "arat") == LibvirtVersion(2, 0, 0))
        #expect(CPUMap.release(knowingFeature: "nosuchfeature") == nil)
        let westmere = try #require(CPUMap.features(ofModel: "Westmere"))
        #expect(westmere.isSuperset(of: ["aes", "sse4.2", "lahf_lm"]) && !westmere.contains("pclmuldq"))
        // libvirt's map order (pclmuldq before arat, as in its messages); unknown names last.
        let ordered = CPUMap.ordered(["arat", "zzz", "pclmuldq", "fpu"])
        #expect(ordered.last == "zzz" && (ordered.firstIndex(of: "pclmuldq") ?? 99) < (ordered.firstIndex(of: "arat") ?? 0))
    }

    @Test func cpuinfoNames() {
        let host = TargetHost(cpuinfo: "processor\t: 0\nflags\t\t: fpu sse4_1 sse4_2 pclmulqdq lahf_lm tsc_deadline_timer avx512f\n")
        #expect(host.physicalFeatures == ["fpu", "sse4.1", "sse4.2", "pclmuldq", "lahf_lm", "tsc-deadline", "avx512f"])
    }

    @Test func capabilitiesHostCPU() throws {
        let host = try TargetHost(capabilities: try VerifyLab.capture("lab-libvirt-9.0-capabilities.xml"), source: "caps")
        // The physical lab host has avx512f; TCG's host-model (domcapabilities) does not.
        let physical = try #require(host.physicalCPU)
        #expect(TargetHost.features(of: physical).contains("avx512f"))
        let hostModel = try #require(try VerifyLab.host().hostModel)
        #expect(!TargetHost.features(of: hostModel).contains("avx512f"))
    }
}
