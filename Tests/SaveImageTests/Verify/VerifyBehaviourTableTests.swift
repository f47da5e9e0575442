import Foundation
import Testing
@testable import SaveImage

/// The restore rows of ../shared/reference/libvirt-9.0-behaviour.md (and the
/// rows measured by scripts/lab/verify-cpu-rows.py), rebuilt from the real
/// fixtures and verified against the lab host captured from real libvirt 9.0.
@Suite("Verify: libvirt 9.0 behaviour table")
struct VerifyBehaviourTableTests {
    @Test("every unmodified fixture restores on the lab", arguments: Fixtures.libvirt90Images)
    func fixturesRestore(name: String) throws {
        let verdict = try VerifyLab.verifier().verify(path: Fixtures.path(name))
        #expect(verdict.outcome == .restorable, "\(verdict.reasons)")
    }

    func verdict(_ fixture: String, xml: String? = nil, cookie: String??, profile: ReaderProfile = .libvirt90,
                 newXML: String? = nil) throws -> RestoreVerdict {
        let directory = try TemporaryDirectory()
        let path = try VerifyLab.image(fixture, xml: xml, cookie: cookie, at: directory)
        return try VerifyLab.verifier(profile, xml: newXML).verify(path: path)
    }

    @Test("cookie CPU requires avx512f: missing features: avx512f")
    func cookieMissingFeature() throws {
        let v = try verdict("qemu64-raw-running.sav", cookie: VerifyLab.cookie("qemu64", ["hypervisor", "lahf_lm", "avx512f"]))
        #expect(v.outcome == .willFail)
        #expect(v.primaryReason?.code == .cpuMissingFeatures)
        #expect(v.primaryReason?.libvirtMessage == "guest CPU doesn't match specification: missing features: avx512f")
    }

    @Test("cookie CPU requires an unknown feature: unknown CPU feature: nosuchfeature")
    func cookieUnknownFeature() throws {
        let v = try verdict("qemu64-raw-running.sav", cookie: VerifyLab.cookie("qemu64", ["hypervisor", "nosuchfeature"]))
        #expect(v.outcome == .willFail)
        #expect(v.primaryReason?.libvirtMessage == "unknown CPU feature: nosuchfeature")
    }

    @Test("cookie model Westmere (qemu64 cookie's features), domain qemu64: extra features: pclmuldq,arat")
    func cookieOtherModel() throws {
        let v = try verdict("qemu64-raw-running.sav", cookie: VerifyLab.cookie("Westmere", ["hypervisor", "lahf_lm"]))
        #expect(v.outcome == .willFail)
        #expect(v.primaryReason?.libvirtMessage == "guest CPU doesn't match specification: extra features: pclmuldq,arat")
    }

    @Test("measured: cookie Westmere with no features: extra features: pclmuldq,hypervisor,arat")
    func cookieWestmereBare() throws {
        let v = try verdict("qemu64-raw-running.sav", cookie: VerifyLab.cookie("Westmere", []))
        #expect(v.primaryReason?.libvirtMessage == "guest CPU doesn't match specification: extra features: pclmuldq,hypervisor,arat")
    }

    @Test("measured: a cookie model other than the domain's restores when it is QEMU's full CPU")
    func cookieOtherModelComplete() throws {
        let a = try verdict("qemu64-raw-running.sav", cookie: VerifyLab.cookie("Westmere", ["pclmuldq", "hypervisor", "arat"]))
        let b = try verdict("westmere-raw.sav", cookie: VerifyLab.cookie("qemu64", ["hypervisor", "lahf_lm"]))
        #expect(a.outcome == .restorable, "\(a.reasons)")
        #expect(b.outcome == .restorable, "\(b.reasons)")
    }

    @Test("cookie CPU disables sse2: restores")
    func cookieDisablesSSE2() throws {
        let v = try verdict("qemu64-raw-running.sav",
                            cookie: VerifyLab.cookie("qemu64", ["hypervisor", "lahf_lm"], disabled: ["sse2"]))
        #expect(v.outcome == .restorable, "\(v.reasons)")
    }

    @Test("cookie <cookie/> and cookie with an unknown element: restore")
    func cookieWithoutCPU() throws {
        #expect(try verdict("qemu64-raw-running.sav", cookie: "<cookie/>").outcome == .restorable)
        let extra = "<cookie>\n  <whatever/>\n" + VerifyLab.cpu("qemu64", ["hypervisor", "lahf_lm"]) + "\n</cookie>\n"
        #expect(try verdict("qemu64-raw-running.sav", cookie: extra).outcome == .restorable)
    }

    @Test("cookie not XML / wrong root: will fail with libxml2's and libvirt's messages")
    func cookieInvalid() throws {
        let notXML = try verdict("qemu64-raw-running.sav", cookie: "this is not xml")
        #expect(notXML.outcome == .willFail)
        #expect(notXML.primaryReason?.libvirtMessage?.contains("Start tag expected, '<' not found") == true)
        let wrongRoot = try verdict("qemu64-raw-running.sav", cookie: "<notcookie/>")
        #expect(wrongRoot.primaryReason?.libvirtMessage == "expecting root element of 'cookie', not 'notcookie'")
    }

    @Test("an old reader (3.2) ignores a broken cookie")
    func oldReaderIgnoresCookie() throws {
        let v = try verdict("qemu64-raw-running.sav", cookie: "<notcookie/>", profile: ReaderProfile(named: "3.2")!)
        #expect(v.outcome == .restorable, "\(v.reasons)")
    }

    @Test("measured: domain XML CPU (no cookie) requiring what the host lacks: Host CPU does not provide")
    func domainMissingFeatures() throws {
        let xml = try VerifyLab.documents("qemu64-raw-running.sav").xml
        let avx = try verdict("qemu64-raw-running.sav",
                              xml: VerifyLab.replacingCPU(in: xml, with: VerifyLab.cpu("qemu64", ["avx512f"], check: "partial")),
                              cookie: .some(nil))
        #expect(avx.primaryReason?.libvirtMessage
            == "the CPU is incompatible with host CPU: Host CPU does not provide required features: avx512f")
        let skylake = try verdict("qemu64-raw-running.sav",
                                  xml: VerifyLab.replacingCPU(in: xml, with: VerifyLab.cpu("Skylake-Server", [], check: "partial")),
                                  cookie: .some(nil))
        // What real libvirt 9.0 listed for this image in the lab.
        let measured = "vme, pcid, x2apic, tsc-deadline, hle, invpcid, rtm, avx512f, avx512dq, rdseed, avx512cd, avx512bw, avx512vl, xsavec, 3dnowprefetch"
        let listed = skylake.primaryReason?.libvirtMessage?.components(separatedBy: "features: ").last ?? ""
        #expect(Set(listed.components(separatedBy: ", ")) == Set(measured.components(separatedBy: ", ")))
    }

    @Test("format 5 (zstd) and 7: Invalid compressed save format on 9.0; zstd accepted by current libvirt")
    func formats() throws {
        for format: UInt32 in [5, 7] {
            let image = try ModifiedImage("qemu64-raw-running.sav") { $0.setWord(format, at: 28) }
            let v = try VerifyLab.verifier().verify(path: image.path)
            #expect(v.outcome == .willFail)
            #expect(v.reasons.contains { $0.libvirtMessage == "Invalid compressed save format \(format)" })
        }
        let seven = try ModifiedImage("qemu64-raw-running.sav") { $0.setWord(7, at: 28) }
        let current = try VerifyLab.verifier(.current).verify(path: seven.path)
        #expect(current.reasons.contains { $0.libvirtMessage == "unsupported save image format: 7" })
    }

    @Test("header rows libvirt refuses to read are invalid, with libvirt's message")
    func invalidHeaders() throws {
        let zeroLength = try ModifiedImage("qemu64-raw-running.sav") { $0.setWord(0, at: 20) }
        let v = try VerifyLab.verifier().verify(path: zeroLength.path)
        #expect(v.outcome == .invalid)
        #expect(v.primaryReason?.libvirtMessage == "invalid header data length: 0")
        let past = try ModifiedImage("qemu64-raw-running.sav") { $0.setWord($0.word(at: 20) + 1000, at: 32) }
        let crash = try VerifyLab.verifier().verify(path: past.path)
        #expect(crash.outcome == .invalid)
        #expect(crash.primaryReason?.libvirtMessage == "libvirtd crashes (connection lost)")
        let newer = try VerifyLab.verifier(ReaderProfile(version: LibvirtVersion(11, 10, 0))).verify(path: past.path)
        #expect(newer.primaryReason?.libvirtMessage == "invalid save image header: cookie offset exceeds data length")
    }

    @Test("stream rows: format says gzip but stream is raw, no stream: will fail")
    func streamRows() throws {
        let gzipRaw = try ModifiedImage("qemu64-raw-running.sav") { $0.setWord(1, at: 28) }
        #expect(try VerifyLab.verifier().verify(path: gzipRaw.path).outcome == .willFail)
        let noStream = try ModifiedImage("qemu64-raw-running.sav") { $0.removeSubrange((92 + Int($0.word(at: 20)))...) }
        let v = try VerifyLab.verifier().verify(path: noStream.path)
        #expect(v.outcome == .willFail)
        #expect(v.primaryReason?.libvirtMessage == "Not a migration stream")  // printed as "qemu-system-x86_64: Not a ..."
        let on113 = try VerifyLab.verifier(ReaderProfile(version: LibvirtVersion(11, 3, 0))).verify(path: noStream.path)
        #expect(on113.primaryReason?.libvirtMessage == "job 'start' failed: load of migration failed: Invalid argument")
    }

    @Test("restore --xml: other memory / other CPU model fail with libvirt's ABI messages; description is fine")
    func replacementXML() throws {
        let xml = try VerifyLab.documents("qemu64-raw-running.sav").xml
        let memory = xml.replacingOccurrences(of: "<memory unit='KiB'>32768</memory>", with: "<memory unit='KiB'>65536</memory>")
        let m = try VerifyLab.verifier(xml: memory).verify(path: Fixtures.path("qemu64-raw-running.sav"))
        #expect(m.outcome == .willFail)
        #expect(m.primaryReason?.libvirtMessage == "Target domain max memory 65536 does not match source 32768")
        #expect(m.primaryReason?.code == .abi("domain_max_memory"))
        let model = xml.replacingOccurrences(of: ">qemu64</model>", with: ">Westmere</model>")
        let c = try VerifyLab.verifier(xml: model).verify(path: Fixtures.path("qemu64-raw-running.sav"))
        #expect(c.primaryReason?.libvirtMessage == "Target CPU model Westmere does not match source qemu64")
        #expect(c.primaryReason?.code == .abi("cpu_model"))
        let described = xml.replacingOccurrences(of: "</uuid>", with: "</uuid>\n  <description>moved</description>")
        #expect(try VerifyLab.verifier(xml: described).verify(path: Fixtures.path("qemu64-raw-running.sav")).outcome == .restorable)
    }
}
