import SaveImage

/// One entry of a `findings` list, the same in every command's JSON:
/// `inspect` (the reader's findings), `verify` and `scan` (the verdict's
/// reasons), `check --deep` (stream problems).
struct FindingReport: Encodable, Sendable {
    var code: String
    var severity: Severity
    var message: String
    var libvirtMessage: String?
    /// Absolute file offset, when one place applies.
    var offset: UInt64?
    /// How to fix it (`verify`, `scan`).
    var hint: String?
    /// Offset in the decompressed QEMU stream (`check --deep`).
    var rawStreamOffset: UInt64?

    init(code: String, severity: Severity, message: String, libvirtMessage: String? = nil, offset: UInt64? = nil) {
        self.code = code
        self.severity = severity
        self.message = message
        self.libvirtMessage = libvirtMessage
        self.offset = offset
    }

    init(_ finding: Finding) {
        code = finding.code.rawValue
        severity = finding.severity
        message = finding.message
        libvirtMessage = finding.libvirtMessage
        offset = finding.offset
    }

    init(_ reason: RestoreVerdict.Reason) {
        code = reason.code.rawValue
        severity = reason.severity
        message = reason.message
        libvirtMessage = reason.libvirtMessage
        offset = reason.offset
        hint = reason.hint
    }

    /// A damaged stream: the restore would fail where the problem is.
    init(_ problem: DeepCheckProblem) {
        code = problem.code
        severity = .restoreFails
        message = problem.message
        offset = problem.fileOffset
        rawStreamOffset = problem.rawStreamOffset
    }
}
