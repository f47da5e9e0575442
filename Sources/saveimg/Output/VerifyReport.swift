import SaveImage

/// One image's verdict, as a JSON line and as text.
struct VerifyReport: Encodable {
    var file: String
    /// `ok`, `warning`, `restore_fails`, `invalid`, or `unreadable` (the file
    /// could not be opened or read: `invalid` in the text output), as `scan` says.
    var verdict: Severity
    var target: Target
    /// The reasons, most severe first.
    var findings: [FindingReport]
    /// Why libvirt refuses to read the image (verdict `invalid`).
    var error: ErrorDetail?

    init(path: String, verdict: RestoreVerdict, target: Target) {
        file = path
        self.verdict = verdict.readError?.severity ?? verdict.outcome.severity
        self.target = target
        findings = verdict.reasons.map(FindingReport.init)
        error = verdict.readError.map(ErrorDetail.init)
    }

    static func label(_ outcome: RestoreVerdict.Outcome) -> String {
        switch outcome {
        case .restorable: "restorable"
        case .restorableWithWarnings: "restorable with warnings"
        case .willFail: "will fail"
        case .invalid: "invalid"
        }
    }

    /// Text: a verdict line, then one block per reason (info reasons only when
    /// `oneLine` is false). With `oneLine`, the verdict line and the primary reason.
    static func text(path: String, verdict: RestoreVerdict, oneLine: Bool) -> String {
        let head = verdict.readError?.stopsSaveimgOnly == true
            ? "\(path): not judged (saveimg could not read it)" : "\(path): \(label(verdict.outcome))"
        if oneLine {
            guard let reason = verdict.primaryReason else { return head }
            return head + " [\(reason.code)] " + (reason.libvirtMessage ?? reason.message)
        }
        var lines = [head, "  target: \(verdict.target)"]
        for reason in verdict.reasons {
            lines.append("  \(reason.severity.rawValue) [\(reason.code)] \(reason.message)")
            if let message = reason.libvirtMessage { lines.append("    libvirt: \(message)") }
            if let hint = reason.hint { lines.append("    hint: \(hint)") }
        }
        return lines.joined(separator: "\n")
    }

    static func summary(_ verdicts: [RestoreVerdict]) -> String {
        let order: [RestoreVerdict.Outcome] = [.restorable, .restorableWithWarnings, .willFail, .invalid]
        let counts = order.map { outcome in "\(verdicts.filter { $0.outcome == outcome }.count) \(label(outcome))" }
        return "\(verdicts.count) images: " + counts.joined(separator: ", ")
    }
}
