import SaveImage

/// One image's verdict, as JSON and as text. JSON follows the project's
/// conventions: `file`, a `verdict` on the scale ok | info | warning |
/// restore_fails | invalid | unreadable, and `findings` {code, severity,
/// message, libvirt_message, offset, hint}.
struct VerifyReport: Encodable {
    var file: String
    var verdict: String
    var target: String
    var findings: [RestoreVerdict.Reason]

    init(path: String, verdict: RestoreVerdict) {
        file = path
        self.verdict = Self.scale(verdict)
        target = verdict.target
        findings = verdict.reasons
    }

    /// The verdict on the common scale.
    static func scale(_ verdict: RestoreVerdict) -> String {
        switch verdict.outcome {
        case .restorable: verdict.reasons.isEmpty ? "ok" : "info"
        case .restorableWithWarnings: "warning"
        case .willFail: "restore_fails"
        case .invalid: verdict.readError?.code == .io ? "unreadable" : "invalid"
        }
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
        let head = "\(path): \(label(verdict.outcome))"
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
