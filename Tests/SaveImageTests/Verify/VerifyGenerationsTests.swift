import Foundation
import Testing
@testable import SaveImage

/// verify across the three lab generations, on their real images and real
/// descriptions; every expected message is what the lab printed
/// (scripts/lab/cross-version-matrix.sh).
@Suite("Verify: across libvirt 7.0, 9.0, 11.3")
struct VerifyGenerationsTests {
    /// Replaces the first `from` with `to`, padded with spaces before its last
    /// character to the same length (so data_len and the stream stay in place).
    static func replace(_ bytes: inout [UInt8], _ from: String, _ to: String) {
        let a = Array(from.utf8)
        var b = Array(to.utf8)
        guard b.count <= a.count, let close = b.popLast() else { return }
        b += [UInt8](repeating: 0x20, count: a.count - b.count - 1) + [close]
        guard let start = (0...(bytes.count - a.count)).first(where: { bytes[$0..<($0 + a.count)].elementsEqual(a) }) else { return }
        bytes.replaceSubrange(start..<(start + a.count), with: b)
    }

    @Test("every real image restores on the generation that saved it", arguments: [
        ("7.0", "hostmodel-raw.sav"), ("7.0", "qemu64-gzip.sav"), ("7.0", "qemu64-raw.sav"), ("7.0", "westmere-raw.sav"),
        ("9.0", "hostmodel-raw.sav"), ("9.0", "qemu64-xz.sav"), ("9.0", "westmere-raw.sav"), ("9.0", "usernet-raw.sav"),
        ("11.3", "qemu64-raw.sav"), ("11.3", "qemu64-m72-raw.sav"), ("11.3", "qemu64-zstd.sav"),
    ])
    func ownGeneration(generation: String, name: String) throws {
        let verdict = try Generations.verifier(generation).verify(path: Generations.path(generation, name))
        #expect(verdict.outcome <= .restorableWithWarnings, "\(verdict.reasons)")
    }

    @Test("7.0 knows the names it wrote (npt, nrip-save); pks (9.0's map) is unknown to it")
    func cpuMapPerRelease() {
        #expect(CPUMap.knowledge(ofFeature: "npt", at: LibvirtVersion(7, 0, 0)) == .known)
        #expect(CPUMap.knowledge(ofFeature: "nrip-save", at: LibvirtVersion(7, 0, 0)) == .known)
        #expect(CPUMap.knowledge(ofFeature: "pks", at: LibvirtVersion(7, 0, 0)) == .unknown(since: LibvirtVersion(9, 0, 0)))
        #expect(CPUMap.knowledge(ofFeature: "pks", at: LibvirtVersion(8, 0, 0))
                == .uncertain(after: LibvirtVersion(7, 0, 0), before: LibvirtVersion(9, 0, 0)))
        #expect(CPUMap.knowledge(ofFeature: "pks", at: LibvirtVersion(11, 3, 0)) == .known)
        #expect(CPUMap.knowledge(ofFeature: "nosuchfeature", at: LibvirtVersion(9, 0, 0)) == .neverSeen)
    }

    @Test("9.0's host-model image on 7.0: unknown CPU feature: pks (measured)")
    func newFeatureOnOldLibvirt() throws {
        let verdict = try Generations.verifier("7.0").verify(path: Generations.path("9.0", "hostmodel-raw.sav"))
        #expect(verdict.outcome == .willFail)
        #expect(verdict.primaryReason?.code == .cpuUnknownFeature)
        #expect(verdict.primaryReason?.libvirtMessage == "unknown CPU feature: pks")
    }

    @Test("machine type: 9.0 refuses pc-i440fx-10.0 itself, 7.0 leaves it to QEMU; 7.2 restores on 9.0 and 11.3")
    func machineType() throws {
        let on90 = try Generations.verifier("9.0").verify(path: Generations.path("11.3", "qemu64-raw.sav"))
        #expect(on90.primaryReason?.code == .machineUnsupported)
        #expect(on90.primaryReason?.libvirtMessage
                == "Emulator '/usr/bin/qemu-system-x86_64' does not support machine type 'pc-i440fx-10.0'")
        let on70 = try Generations.verifier("7.0").verify(path: Generations.path("9.0", "qemu64-raw-running.sav"))
        #expect(on70.primaryReason?.code == .machineUnsupported)
        #expect(on70.primaryReason?.libvirtMessage == "qemu-system-x86_64: -machine pc-i440fx-7.2,...: unsupported machine type")
        for lab in ["9.0", "11.3"] {
            let m72 = try Generations.verifier(lab).verify(path: Generations.path("11.3", "qemu64-m72-raw.sav"))
            #expect(m72.outcome == .restorable, "\(lab): \(m72.reasons)")
        }
        // domcapabilities alone lists one machine: not enough to call another one unknown.
        let domcapsOnly = try Generations.verifier("9.0", host: Generations.domainCapabilities("9.0"))
            .verify(path: Generations.path("11.3", "qemu64-raw.sav"))
        // (a check not made: `cannot tell`, no longer `restorable`)
        #expect(domcapsOnly.reasons.contains { $0.code == .machineNotChecked && $0.severity == .cannotTell }
                && domcapsOnly.outcome == .cannotTell)
    }

    @Test("TCG guests are not bound by the physical CPU: --capabilities alone, --domcapabilities alone, both")
    func tcgGuests() throws {
        let image = Generations.path("7.0", "hostmodel-raw.sav")  // EPYC with npt etc., the 7.0 lab's TCG host-model
        for lab in ["7.0", "9.0"] {
            let capsOnly = try Generations.verifier(lab, host: Generations.capabilities(lab)).verify(path: image)
            #expect(capsOnly.outcome == .cannotTell, "\(lab): \(capsOnly.reasons)")  // TCG CPU not compared
            #expect(capsOnly.reasons.contains { $0.code == .cpuHostNotChecked })
            let both = try Generations.verifier(lab).verify(path: image)
            #expect(both.outcome == .restorable, "\(lab): \(both.reasons)")
        }
        // 11.3's TCG host-model lacks pcommit: the real 11.3 refuses (measured), with either domcapabilities input.
        for host in [try Generations.domainCapabilities("11.3"), try Generations.host("11.3")] {
            let verdict = try Generations.verifier("11.3", host: host).verify(path: image)
            #expect(verdict.primaryReason?.libvirtMessage == "guest CPU doesn't match specification: missing features: pcommit")
        }
    }

    @Test("formats per release: zstd from 10.4.0, sparse from 11.2.0; releases between measured ones say so")
    func formats() throws {
        let zstd = Generations.path("11.3", "qemu64-zstd.sav")
        let old = try Generations.verifier("9.0").verify(path: zstd)
        #expect(old.primaryReason?.code == .formatUnsupported)
        #expect(old.primaryReason?.libvirtMessage == "Invalid compressed save format 5")
        let before = RestoreVerifier(profile: ReaderProfile(version: LibvirtVersion(10, 3, 0)), host: nil).verify(path: zstd)
        #expect(before.primaryReason?.code == .formatUnsupported)
        let after = RestoreVerifier(profile: ReaderProfile(version: LibvirtVersion(10, 4, 0)), host: nil).verify(path: zstd)
        // No host: machine, CPU and device state not checked, so `cannot tell`; the format is no longer a reason.
        #expect(after.outcome == .cannotTell, "\(after.reasons)")
        #expect(Set(after.checksNotMade.map(\.code)) == [.machineNotChecked, .cpuHostNotChecked, .finding("device_state_not_checked")])
        #expect(after.reasons.contains { $0.code == .profileNearest && $0.message.contains("11.3.0") })
        #expect(ReaderProfile(version: LibvirtVersion(8, 0, 0)).nearestMeasured == LibvirtVersion(9, 0, 0))
        #expect(ReaderProfile(version: LibvirtVersion(7, 5, 0)).nearestMeasured == LibvirtVersion(7, 0, 0))
        #expect(!ReaderProfile(version: LibvirtVersion(11, 1, 0)).canRestore(format: .sparse))
        #expect(ReaderProfile(version: LibvirtVersion(11, 2, 0)).canRestore(format: .sparse))
    }

    @Test("<cpu mode='maximum'> on 7.0: Invalid mode attribute 'maximum' (measured); 9.0 accepts it")
    func maximumMode() throws {
        let directory = try TemporaryDirectory()
        let path = try Generations.modified("9.0", "hostmodel-raw.sav", in: directory) { bytes in
            Self.replace(&bytes, "<cpu mode='custom' match='exact' check='full'>", "<cpu mode='maximum' check='full'>")
        }
        #expect(try SaveImage(contentsOf: path).domain.cpu?.mode == "maximum")
        let v70 = try Generations.verifier("7.0").verify(path: path)
        #expect(v70.primaryReason?.code == .xmlConstructUnsupported)
        #expect(v70.primaryReason?.libvirtMessage == "Invalid mode attribute 'maximum'")
        let v90 = try Generations.verifier("9.0").verify(path: path)
        #expect(!v90.reasons.contains { $0.code == .xmlConstructUnsupported })
    }

    @Test("RAM: domain 64 MiB, stream 32 MiB: Size mismatch: pc.ram: 0x2000000 != 0x4000000")
    func ramSize() throws {
        let directory = try TemporaryDirectory()
        for generation in ["7.0", "9.0"] {
            let name = generation == "7.0" ? "qemu64-raw.sav" : "qemu64-raw-running.sav"
            let path = try Generations.modified(generation, name, in: directory) { bytes in
                Self.replace(&bytes, ">32768</memory>", ">65536</memory>")
                Self.replace(&bytes, ">32768</currentMemory>", ">65536</currentMemory>")
            }
            let verdict = try Generations.verifier(generation).verify(path: path)
            #expect(verdict.primaryReason?.code == .ramSizeMismatch)
            #expect(verdict.primaryReason?.libvirtMessage == "Size mismatch: pc.ram: 0x2000000 != 0x4000000")
        }
        // Unmodified: no RAM reason (compressed prefixes too).
        for name in ["qemu64-gzip.sav", "qemu64-xz.sav"] {
            #expect(!(try Generations.verifier("9.0").verify(path: Fixtures.path(name))).reasons.contains { $0.code == .ramSizeMismatch })
        }
    }

    @Test("raw stream cut short: caught from the file's end; trailing bytes are not damage; gzip needs --deep")
    func streamEnd() throws {
        let directory = try TemporaryDirectory()
        let image = try SaveImage(contentsOf: Fixtures.path("qemu64-raw-running.sav"))
        let cut = try Generations.modified("9.0", "qemu64-raw-running.sav", in: directory) { bytes in
            bytes.removeLast(Int(image.streamLength / 2))
        }
        let v = try Generations.verifier("9.0").verify(path: cut)
        #expect(v.primaryReason?.code == .streamTruncated)
        #expect(v.primaryReason?.libvirtMessage == "load of migration failed: Input/output error")
        #expect(try Generations.verifier("11.3").verify(path: cut).primaryReason?.libvirtMessage
                == "job 'start' failed: load of migration failed: Input/output error")
        let padded = try Generations.modified("9.0", "qemu64-raw-running.sav", in: directory) { $0 += [UInt8](repeating: 0x41, count: 7000) }
        let p = try Generations.verifier("9.0").verify(path: padded)
        #expect(p.outcome == .restorable && p.reasons.contains { $0.code == .streamTailNotChecked })

        let gzipCut = try Generations.modified("9.0", "qemu64-gzip.sav", in: directory) { bytes in
            bytes.removeLast((bytes.count - 66_900) / 2)
        }
        // Small streams are walked without --deep; above the limit, a compressed body not decoded is `cannot tell`.
        #expect(try Generations.verifier("9.0").verify(path: gzipCut).outcome == .willFail)
        var limited = try Generations.verifier("9.0")
        limited.automaticDeepLimit = 0
        let shallow = limited.verify(path: gzipCut)
        #expect(shallow.outcome == .cannotTell
                && shallow.reasons.contains { $0.code == .streamBodyNotChecked && $0.severity == .cannotTell })
        let deep = try Generations.verifier("9.0", deep: true).verify(path: gzipCut)
        #expect(deep.outcome == .willFail)
        #expect([.streamDamaged, .streamTruncated].contains(deep.primaryReason?.code))
        let intact = try Generations.verifier("9.0", deep: true).verify(path: Fixtures.path("qemu64-gzip.sav"))
        #expect(intact.outcome == .restorable, "\(intact.reasons)")
    }

    @Test("cookie model Westmere on a qemu64 image: predicted from cpu_map definitions, without model additions")
    func cookieModelDiffers() throws {
        let directory = try TemporaryDirectory()
        let path = try Generations.modified("9.0", "qemu64-raw-running.sav", in: directory) { bytes in
            // the cookie's <model> (the domain XML's comes first)
            let from = Array("<model fallback='forbid'>qemu64</model>".utf8)
            let starts = (0...(bytes.count - from.count)).filter { bytes[$0..<($0 + from.count)].elementsEqual(from) }
            guard let last = starts.last, starts.count == 2 else { return }
            let to = Array("<model fallback='forbid'>Westmere</model>".utf8)
            bytes.replaceSubrange(last..<(last + from.count), with: to)
            let end = 92 + Int(bytes.word(at: 20))  // keep data_len: drop two of the padding's zeros
            #expect(bytes[end] == 0 && bytes[end + 1] == 0)
            bytes.removeSubrange(end..<(end + 2))
        }
        let verdict = try Generations.verifier("9.0").verify(path: path)
        #expect(verdict.outcome == .willFail, "\(verdict.reasons)")
        #expect(verdict.primaryReason?.code == .cpuModelDiffers)
        #expect(verdict.primaryReason?.libvirtMessage == "guest CPU doesn't match specification: extra features: ...")
    }

    @Test("verify DIR with images only in subdirectories: 0 images (use --recursive), exit 1")
    func emptyDirectory() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.path + "/sub", withIntermediateDirectories: true)
        _ = try directory.write("sub/a.sav", try Fixtures.bytes("qemu64-raw-running.sav"))
        let run = try CLI.run(["verify", "--target-libvirt", "9.0", directory.path])
        #expect(run.status == 1)
        #expect(run.stderr.contains("0 images (use --recursive"))
        // --no-host: machine and CPU not checked, exit 4 (cannot tell)
        #expect(try CLI.run(["verify", "--target-libvirt", "9.0", "--no-host", "--recursive", directory.path]).status == 4)
    }

    @Test("scan and inspect take the target: zstd is fine for 11.3, fails for 9.0")
    func scanAndInspectTargets() throws {
        let zstd = Generations.path("11.3", "qemu64-zstd.sav")
        let on113 = try CLI.run(["scan", "--target-libvirt", "11.3", "--no-host", zstd])
        #expect(on113.status == 4, "\(on113.output)\(on113.stderr)")  // --no-host: cannot tell, not `fails`
        #expect(on113.stderr.contains("libvirt 11.3.0"))
        #expect(try CLI.run(["scan", "--target-libvirt", "9.0", "--no-host", zstd]).status == 3)
        let inspect = try CLI.run(["inspect", "--target-libvirt", "9.0", "--no-host", zstd])
        #expect(inspect.output.contains("Invalid compressed save format 5"))
        #expect(!(try CLI.run(["inspect", "--target-libvirt", "11.3", "--no-host", zstd])).output.contains("Invalid compressed save format"))
    }
}
