import Testing
@testable import SaveImage

/// The firmware check on the labs' real figures: Debian 11/12 ship the 2 MiB
/// OVMF (`OVMF_CODE.fd`, 1966080 bytes) and the 4 MiB one (`OVMF_CODE_4M.fd`,
/// 3653632 bytes); Debian 13 and sid only the 4 MiB one (`ls -l` in each lab).
@Suite("Firmware: the saved loader and NVRAM against the target")
struct FirmwareCompatibilityTests {
    /// The `<os>` of a q35 guest saved on 9.0 with the 2 MiB build (scripts/lab/real-guests.sh, guest q35ovmf2m).
    static let domain = """
        <domain type='qemu'><name>rg-9-q35ovmf2m</name><os>
        <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
        <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>
        <nvram template='/usr/share/OVMF/OVMF_VARS.fd'>/tmp/rg/guest/rg-9-q35ovmf2m_VARS.fd</nvram>
        </os></domain>
        """
    static let sid = FirmwareCompatibility.Target(
        loaderValues: ["/usr/share/OVMF/OVMF_CODE_4M.ms.fd", "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", "/usr/share/OVMF/OVMF_CODE_4M.fd"],
        files: ["/usr/share/OVMF/OVMF_CODE_4M.fd": 3653632, "/usr/share/OVMF/OVMF_VARS_4M.fd": 540672], source: "lab 12")

    static func saved() throws -> FirmwareCompatibility.Saved {
        let element = try XMLParser.parse(Array(domain.utf8), name: "domain XML")
        // The stream's flash blocks (saveimg check --deep on the 9.0 image): system.flash0 1966080, system.flash1 131072.
        return FirmwareCompatibility.Saved(domain: element, ramBlocks: [("pc.ram", 536870912), ("system.flash0", 1966080), ("system.flash1", 131072)])
    }

    @Test("the loader and NVRAM come from the domain XML, the flash sizes from the stream")
    func saved() throws {
        let saved = try Self.saved()
        #expect(saved.loader == "/usr/share/OVMF/OVMF_CODE.fd")
        #expect(saved.loaderType == "pflash")
        #expect(saved.nvramTemplate == "/usr/share/OVMF/OVMF_VARS.fd")
        #expect(saved.flashCodeSize == 1966080)
    }

    /// Lab: rg-9-q35ovmf2m-raw and rg-7-q35ovmf2m-raw fail on 11.3 and 12.8 (QEMU cannot open the loader).
    @Test("the 2 MiB loader on a target with only the 4 MiB build will fail, naming what the target has")
    func missingLoader() throws {
        let problems = FirmwareCompatibility.check(try Self.saved(), target: Self.sid)
        let missing = try #require(problems.first)
        #expect(missing.kind == .loaderMissing && missing.willFail)
        #expect(missing.message.contains("/usr/share/OVMF/OVMF_CODE_4M.fd"))
        #expect(missing.message.contains("1966080 bytes"))
    }

    @Test("a loader of another size than the saved flash block will fail; the same size passes")
    func loaderSize() throws {
        var saved = try Self.saved()
        saved.loader = "/usr/share/OVMF/OVMF_CODE_4M.fd"
        let problem = try #require(FirmwareCompatibility.check(saved, target: Self.sid).first)
        #expect(problem.kind == .loaderSizeDiffers && problem.willFail)
        saved.flashCodeSize = 3653632
        saved.nvram = nil
        #expect(FirmwareCompatibility.check(saved, target: Self.sid).isEmpty)
    }

    @Test("without the target's files, a loader missing from domcapabilities is a warning, not a failure")
    func notListed() throws {
        var target = Self.sid
        target.files = nil
        let problem = try #require(FirmwareCompatibility.check(try Self.saved(), target: target).first)
        #expect(problem.kind == .loaderNotListed && !problem.willFail)
    }

    @Test("a missing NVRAM file whose template is missing too will fail when its directory was listed; else cannot tell")
    func template() throws {
        // The saved NVRAM file is in /tmp/rg/guest, which the target's listing does not cover: it may exist there.
        let problems = FirmwareCompatibility.check(try Self.saved(), target: Self.sid)
        #expect(problems.contains { $0.kind == .nvramTemplateMissing && !$0.willFail })
        var covered = Self.sid
        covered.files?["/tmp/rg/guest/other_VARS.fd"] = 540672
        #expect(FirmwareCompatibility.check(try Self.saved(), target: covered).contains { $0.kind == .nvramTemplateMissing && $0.willFail })
    }
}
