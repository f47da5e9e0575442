/// The answer of `saveimg verify`: will this image restore on the target, and
/// if not, exactly why.
public struct RestoreVerdict: Hashable, Sendable {
    /// The overall answer. The raw value is its spelling on the one scale,
    /// ``SeverityScale`` (`ok`, `warning`, `cannot_tell`, `restore_fails`, `invalid`).
    public enum Outcome: String, Hashable, Sendable, Codable, Comparable {
        /// Restores, nothing to report.
        case restorable = "ok"
        /// Restores, but something is off.
        case restorableWithWarnings = "warning"
        /// No answer: at least one check libvirt makes at restore was not made
        /// (each is a reason of severity ``Severity/cannotTell`` naming the
        /// input or flag that would make it), and none that was made fails.
        case cannotTell = "cannot_tell"
        /// The target libvirt reads the image but restore fails, hangs or crashes.
        case willFail = "restore_fails"
        /// The target libvirt refuses to read the image at all.
        case invalid
        /// No verdict: saveimg could not read the image (not opened, not
        /// read, or past its limits against hostile files:
        /// ``SaveImageError/stopsSaveimgOnly``), which says nothing of libvirt.
        case notJudged = "unreadable"

        /// The outcome on the one scale.
        public var severity: Severity {
            switch self {
            case .restorable: .ok
            case .restorableWithWarnings: .warning
            case .cannotTell: .cannotTell
            case .willFail: .restoreFails
            case .invalid: .invalid
            case .notJudged: .unreadable
            }
        }

        private var rank: Int { [.restorable: 0, .restorableWithWarnings: 1, .cannotTell: 2, .willFail: 3, .invalid: 4, .notJudged: 5][self] ?? 5 }
        public static func < (a: Outcome, b: Outcome) -> Bool { a.rank < b.rank }
    }

    /// One reason behind the verdict.
    public struct Reason: Hashable, Sendable, Codable {
        /// Stable code, e.g. ``VerifyCode/cpuMissingFeatures``.
        public var code: VerifyCode
        /// What this reason does to the verdict (`info` reasons do nothing).
        public var severity: Finding.Severity
        /// What saveimg found, naming the field, offset or feature.
        public var message: String
        /// What the target libvirt says or does, when known.
        public var libvirtMessage: String?
        /// How to fix it, naming the command (looked up by ``code``).
        public var hint: String? { severity == .info ? nil : code.hint }
        /// Where in the file, when one place applies.
        public var offset: UInt64?

        public init(_ code: VerifyCode, _ severity: Finding.Severity, _ message: String,
                    libvirt libvirtMessage: String? = nil, offset: UInt64? = nil) {
            self.code = code
            self.severity = severity
            self.message = message
            self.libvirtMessage = libvirtMessage
            self.offset = offset
        }

        enum CodingKeys: String, CodingKey { case code, severity, message, libvirtMessage = "libvirt_message", hint, offset }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(code, forKey: .code)
            try c.encode(severity, forKey: .severity)
            try c.encode(message, forKey: .message)
            try c.encode(libvirtMessage, forKey: .libvirtMessage)
            try c.encode(hint, forKey: .hint)
            try c.encode(offset, forKey: .offset)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(try c.decode(VerifyCode.self, forKey: .code), try c.decode(Finding.Severity.self, forKey: .severity),
                      try c.decode(String.self, forKey: .message),
                      libvirt: try c.decodeIfPresent(String.self, forKey: .libvirtMessage),
                      offset: try c.decodeIfPresent(UInt64.self, forKey: .offset))
        }
    }

    /// The reader the verdict is for.
    public var target: String
    /// Every reason, most severe first.
    public var reasons: [Reason]
    /// Set when the image could not be read at all.
    public var readError: SaveImageError?

    public init(target: String, reasons: [Reason], readError: SaveImageError? = nil) {
        self.target = target
        self.reasons = reasons.enumerated().sorted {
            $0.element.severity != $1.element.severity ? $0.element.severity > $1.element.severity : $0.offset < $1.offset
        }.map(\.element)
        self.readError = readError
    }

    public var outcome: Outcome {
        if let readError { return readError.stopsSaveimgOnly ? .notJudged : .invalid }
        switch reasons.map(\.severity).max() {
        case .restoreFails: return .willFail
        case .cannotTell: return .cannotTell
        case .warning: return .restorableWithWarnings
        default: return .restorable
        }
    }

    /// The checks that were not made (reasons of severity ``Severity/cannotTell``).
    public var checksNotMade: [Reason] { reasons.filter { $0.severity == .cannotTell } }

    /// The reason libvirt would report first (the most severe one).
    public var primaryReason: Reason? { reasons.first { $0.severity != .info } }
}
