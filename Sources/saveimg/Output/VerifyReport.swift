import SaveImage

/// One image's verdict, as a JSON line and as text.
struct VerifyReport: Encodable {
    /// What the verdict is for, as fields (`description` is the text output's prose).
    struct Target: Encodable {
        struct Host: Encodable {
            /// Which option gave the host CPU.
            enum Kind: String, Encodable {
                case domcapabilities, capabilities
                /// This machine's /proc/cpuinfo (no host option given).
                case cpuinfo
            }
            var kind: Kind
            /// The file the CPU was read from, or `this machine (/proc/cpuinfo)`.
            var source: String
            /// Whether the host CPU binds TCG guests too (libvirt's (dom)capabilities); false for
            /// /proc/cpuinfo, which binds only KVM guests.
            var describesTCG: Bool
        }
        /// The target libvirt release the reader profile is for, e.g. `9.0.0`.
        var libvirtVersion: String
        /// The profile's name, e.g. `libvirt 9.0.0`.
        var profile: String
        /// How the profile's behaviour is known: `measured`, `source` (read from libvirt's code) or `assumed`.
        var basis: String
        /// The target host CPU; absent with --no-host.
        var host: Host?
        /// `--xml`: the replacement domain XML checked for ABI compatibility.
        var replacementXml: String?
        var description: String

        init(verifier: RestoreVerifier, host kind: Host.Kind?, replacementXML: String?) {
            libvirtVersion = verifier.profile.version.description
            profile = verifier.profile.name
            basis = verifier.profile.basis.rawValue
            if let kind, let host = verifier.host {
                self.host = Host(kind: kind, source: host.source, describesTCG: host.describesTCG)
            }
            replacementXml = replacementXML
            description = verifier.targetDescription
        }
    }

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
        let head = "\(path): \(label(verdict.outcome))"
        if oneLine {
            guard let reason = verdict.primaryReason else { return head }
            return head + " [\(reason.code)] " + (reason.libvirtMessage ?? reason.message)
        }
        var lines = [head, "  target: \(verdict.target)"]
        for reason in verdict.reasons {
            lines.append("  \(reason.severity.rawValue) [\(reason.code)] \(reason.message)")
            if let message = reason.libvirtMessage { lines.append("    libvirt: \(message)") }
            if let hint = reason.hint, reason.severity != .info { lines.append("    hint: \(hint)") }
        }
        return lines.joined(separator: "\n")
    }

    static func summary(_ verdicts: [RestoreVerdict]) -> String {
        let order: [RestoreVerdict.Outcome] = [.restorable, .restorableWithWarnings, .willFail, .invalid]
        let counts = order.map { outcome in "\(verdicts.filter { $0.outcome == outcome }.count) \(label(outcome))" }
        return "\(verdicts.count) images: " + counts.joined(separator: ", ")
    }
}
