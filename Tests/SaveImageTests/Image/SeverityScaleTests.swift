import Testing
@testable import SaveImage

/// One scale for findings, verdict reasons, verify outcomes and scan: the
/// verdict a list of reasons adds up to is the verifier's outcome, on real
/// and modified images.
@Suite struct SeverityScaleTests {
    @Test func orderIsBestToWorst() {
        #expect(Severity.allCases == [.ok, .info, .warning, .cannotTell, .restoreFails, .invalid, .unreadable])
        #expect(Severity.allCases.sorted() == Severity.allCases)
        #expect(Severity.allCases.map(\.rawValue) == ["ok", "info", "warning", "cannot_tell", "restore_fails", "invalid", "unreadable"])
        #expect("\(Severity.restoreFails)" == "restore_fails")
        #expect(Finding.Severity.self == Severity.self)
    }

    @Test func outcomeSpellsTheScale() {
        let outcomes: [RestoreVerdict.Outcome] = [.restorable, .restorableWithWarnings, .cannotTell, .willFail, .invalid]
        #expect(outcomes.map(\.rawValue) == ["ok", "warning", "cannot_tell", "restore_fails", "invalid"])
        #expect(outcomes.map { $0.severity.rawValue } == outcomes.map(\.rawValue))
        #expect(outcomes.map(\.severity).sorted() == outcomes.map(\.severity))
    }

    @Test func reasonsAddUpToTheOutcome() throws {
        var images = try Fixtures.libvirt90Images.map { try ModifiedImage($0) }
        // Header says gzip, the stream is raw: restore fails.
        images.append(try ModifiedImage("westmere-raw.sav") { $0.setWord(1, at: 28) })
        // A non-zero padding byte: a warning.
        images.append(try ModifiedImage("westmere-raw.sav") { $0[66000] = 1 })
        var seen = Set<Severity>()
        let lab = try Generations.host("9.0")
        let capture = try Generations.labCapture("9.0")
        for image in images {
            let read = try image.read()
            for host in [lab, nil] {  // no host: machine, CPU and device state not checked, cannot tell unless something fails
                var verifier = RestoreVerifier(host: host)
                if host != nil { verifier.vmstate = capture.vmstate }  // the lab's QEMU descriptions: the device state judged
                let verdict = verifier.verify(read)
                #expect(verdict.outcome.severity == Severity.verdict(verdict.reasons.map(\.severity)), "\(image.path)")
                seen.insert(verdict.outcome.severity)
            }
        }
        #expect(seen == [.ok, .warning, .cannotTell, .restoreFails])
        let broken = try ModifiedImage("westmere-raw.sav") { $0.setWord(0, at: 20) }
        #expect(RestoreVerifier().verify(path: broken.path).outcome.severity == .invalid)
    }
}
