import Foundation
import Testing
@testable import SaveImage

/// libvirt 12.8 + QEMU 11.1 (the sid lab, measured), releases resolving to
/// the nearest measured behaviour, and the rules that depend on the target's
/// libvirt and QEMU together.
@Suite("Verify: the fourth generation and pairing rules")
struct VerifyFourthGenerationTests {
    @Test("every real 12.8 image restores on 12.8 (measured: MANIFEST), and the target names its QEMU")
    func restoresOnItsOwnGeneration() throws {
        for name in ["qemu64-raw.sav", "qemu64-m52-raw.sav", "qemu64-zstd.sav"] {
            let verdict = try Generations.verifier("12.8").verify(path: Generations.path("12.8", name))
            #expect(verdict.outcome == .restorable, "\(name): \(verdict.reasons)")
        }
        #expect(try Generations.verifier("12.8").targetDescription.hasPrefix("libvirt 12.8.0 (measured) + QEMU 11.1.3"))
    }

    @Test("a 12.8 image (pc-i440fx-11.1) fails on 11.3 and 9.0 at the machine type; pc-i440fx-5.2 restores on 9.0")
    func olderTargets() throws {
        for lab in ["9.0", "11.3"] {
            let verdict = try Generations.verifier(lab).verify(path: Generations.path("12.8", "qemu64-raw.sav"))
            #expect(verdict.primaryReason?.code == .machineUnsupported, "\(lab): \(verdict.reasons)")
            #expect(verdict.primaryReason?.libvirtMessage?.contains("pc-i440fx-11.1") == true)
        }
        let m52 = try Generations.verifier("9.0").verify(path: Generations.path("12.8", "qemu64-m52-raw.sav"))
        #expect(!m52.reasons.contains { $0.code == .machineUnsupported }, "\(m52.reasons)")
    }

    @Test("releases between and beyond the measured ones resolve to the nearest, and say so")
    func nearest() {
        #expect(ReaderProfile(version: LibvirtVersion(12, 0, 0)).nearestMeasured == LibvirtVersion(12, 8, 0))
        #expect(ReaderProfile(version: LibvirtVersion(13, 2, 0)).nearestMeasured == LibvirtVersion(12, 8, 0))
        #expect(ReaderProfile(version: LibvirtVersion(11, 9, 0)).nearestMeasured == LibvirtVersion(11, 3, 0))
        #expect(ReaderProfile(version: LibvirtVersion(12, 8, 0)).basis == .measured)
        #expect(ReaderProfile(named: "current")?.version == LibvirtVersion(12, 8, 0))
        #expect(ReaderProfile(named: "trixie")?.version == LibvirtVersion(11, 3, 0))
        let profile = ReaderProfile(version: LibvirtVersion(12, 3, 0))
        #expect(profile.effectiveQEMU == QEMUVersion(11, 1, 3) && profile.qemuNote?.contains("12.8.0") == true)
        let verdict = RestoreVerifier(profile: profile, host: try? Generations.host("12.8"))
            .verify(path: Generations.path("12.8", "qemu64-raw.sav"))
        #expect(verdict.reasons.contains { $0.code == .profileNearest && $0.message.contains("12.8.0") })
    }

    @Test("libvirt < 12.1 with QEMU >= 11.0 restores nothing; 12.1 with QEMU 11.1 and 11.3 with QEMU 10.0 do")
    func fdURIRemoved() throws {
        let image = Generations.path("11.3", "qemu64-raw.sav")
        let host = try Generations.host("12.8")
        let old = RestoreVerifier(profile: ReaderProfile(version: LibvirtVersion(11, 3, 0), qemu: QEMUVersion(11, 1, 3)), host: host)
            .verify(path: image)
        #expect(old.outcome == .willFail)
        #expect(old.reasons.contains { $0.code == .pairingRestoresNothing && $0.message.contains("12.1.0") })
        for (libvirt, qemu) in [(LibvirtVersion(12, 1, 0), QEMUVersion(11, 1, 0)), (LibvirtVersion(11, 3, 0), QEMUVersion(10, 0, 0))] {
            let verdict = RestoreVerifier(profile: ReaderProfile(version: libvirt, qemu: qemu), host: host).verify(path: image)
            #expect(!verdict.reasons.contains { $0.code == .pairingRestoresNothing }, "\(libvirt) + \(qemu)")
        }
    }

    @Test("the ht rule: check='full', two threads per core, libvirt 11.3 with QEMU 10.0 (fixed in 11.10)")
    func htRule() throws {
        let directory = try TemporaryDirectory()
        let path = try Generations.modified("11.3", "qemu64-raw.sav", in: directory) { bytes in
            // the domain XML's <cpu> gains a topology of 1 socket x 1 core x 2 threads (the padding absorbs it)
            let from = Array("<cpu mode='custom' match='exact' check='partial'>".utf8)
            guard let at = (0...(bytes.count - from.count)).first(where: { bytes[$0..<($0 + from.count)].elementsEqual(from) })
            else { return }
            let insert = Array("<topology sockets='1' dies='1' cores='1' threads='2'/>".utf8)
            bytes.insert(contentsOf: insert, at: at + from.count)
            bytes.setWord(bytes.word(at: 32) + UInt32(insert.count), at: 32)  // the cookie moves with it
            let end = 92 + Int(bytes.word(at: 20))
            bytes.removeSubrange(end..<(end + insert.count))
        }
        let image = try SaveImage(contentsOf: path)
        #expect(RestoreVerifier.coresTimesThreads(image.domain) == 2)
        let host = try Generations.host("11.3")
        let before = RestoreVerifier(profile: ReaderProfile(version: LibvirtVersion(11, 3, 0)), host: host).verify(image)
        #expect(before.reasons.contains { $0.libvirtMessage == "guest CPU doesn't match specification: extra features: ht" })
        let fixed = RestoreVerifier(profile: ReaderProfile(version: LibvirtVersion(11, 10, 0)), host: host).verify(image)
        #expect(!fixed.reasons.contains { $0.libvirtMessage?.hasSuffix("extra features: ht") == true })
    }

    @Test("reader findings are facts; each release words them: no stream = Not a migration stream / job error / hangs (12.8)")
    func findingsRenderedPerRelease() throws {
        let directory = try TemporaryDirectory()
        let path = try Generations.modified("9.0", "qemu64-raw-running.sav", in: directory) { bytes in
            bytes.removeSubrange((92 + Int(bytes.word(at: 20)))...)
        }
        let image = try SaveImage(contentsOf: path)
        let finding = try #require(image.findings.first { $0.code == .streamMissing })
        #expect(finding.payload == .streamMissing(format: .raw))
        #expect(!finding.message.contains("libvirt 9.0"))
        let words = ["7.0": "Not a migration stream", "9.0": "Not a migration stream",
                     "11.3": "job 'start' failed: load of migration failed: Invalid argument", "12.8": "restore hangs"]
        for (lab, expected) in words {
            let reason = ReaderProfile(named: lab)?.reason(for: finding)
            #expect(reason?.libvirtMessage == expected, "\(lab)")
            #expect(reason?.code == .streamMissing && reason?.severity == .restoreFails)
        }
    }
}
