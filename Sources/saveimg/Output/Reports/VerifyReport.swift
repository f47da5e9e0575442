import SaveImage

/// One image's verdict, as a JSON line and as text.
struct VerifyReport: Encodable {
    var file: String
    /// `ok`, `warning`, `cannot_tell`, `restore_fails`, `invalid`, or `unreadable` (saveimg
    /// could not read the file: `not judged` in the text output), as `scan` says.
    var verdict: Severity
    var target: Target
    /// The reasons, most severe first.
    var findings: [FindingReport]
    /// Why libvirt refuses to read the image (verdict `invalid`), or why saveimg could not (`unreadable`).
    var error: ErrorDetail?
    /// When QEMU will refuse the image's machine type.
    var forecast: MachineForecast?

    init(path: String, verdict: RestoreVerdict, target: Target) {
        file = path
        self.verdict = verdict.outcome.severity
        self.target = target
        findings = verdict.reasons.map(FindingReport.init)
        error = verdict.readError.map(ErrorDetail.init)
    }

    static func label(_ outcome: RestoreVerdict.Outcome) -> String {
        switch outcome {
        case .restorable: "restorable"
        case .restorableWithWarnings: "restorable with warnings"
        case .cannotTell: "cannot tell"
        case .willFail: "will fail"
        case .invalid: "invalid"
        case .notJudged: "not judged (saveimg could not read it)"
        }
    }

    /// Text: a verdict line, then one block per reason (info reasons only when
    /// `oneLine` is false). With `oneLine`, the verdict line and the primary reason.
    /// `sharedTarget`, the `target:` line already printed above the files: the
    /// image's own line then names only what it was compared with, so the target
    /// is not printed twice.
    static func text(path: String, verdict: RestoreVerdict, oneLine: Bool, sharedTarget: String? = nil) -> String {
        let head = "\(path): \(label(verdict.outcome))"
        if oneLine {
            guard let reason = verdict.primaryReason else { return head }
            return head + " [\(reason.code)] " + (reason.libvirtMessage ?? reason.message)
        }
        var lines = [head, targetLine(verdict.target, shared: sharedTarget)]
        for reason in verdict.reasons {
            lines.append("  \(reason.severity.rawValue) [\(reason.code)] \(reason.message)")
            if let message = reason.libvirtMessage { lines.append("    libvirt: \(message)") }
            if let hint = reason.hint { lines.append("    hint: \(hint)") }
        }
        return lines.joined(separator: "\n")
    }

    /// `  compared with: DOCUMENTS` when `target` is the shared target's libvirt and QEMU (the text
    /// before " with "), else the whole `  target: ...`.
    static func targetLine(_ target: String, shared: String?) -> String {
        if let shared, let separator = shared.firstRange(of: " with ") {
            let head = shared[..<separator.upperBound]
            if target.hasPrefix(head) { return "  compared with: " + target.dropFirst(head.count) }
        }
        return "  target: \(target)"
    }

    static func summary(_ verdicts: [RestoreVerdict]) -> String {
        let order: [RestoreVerdict.Outcome] = [.restorable, .restorableWithWarnings, .cannotTell, .willFail, .invalid]
        var counts = order.map { outcome in "\(verdicts.filter { $0.outcome == outcome }.count) \(label(outcome))" }
        let notJudged = verdicts.filter { $0.outcome == .notJudged }.count
        if notJudged > 0 { counts.append("\(notJudged) not judged") }
        return "\(verdicts.count) images: " + counts.joined(separator: ", ")
    }
}
