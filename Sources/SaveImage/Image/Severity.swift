/// The one scale saveimg uses for how much something matters, from a single
/// finding up to a whole file: ``Finding/severity``,
/// ``RestoreVerdict/Reason/severity``, ``RestoreVerdict/Outcome/severity`` and
/// every verdict the command line prints (`scan`, `verify`, `inspect`).
///
/// Ordered from best to worst; the raw value is the spelling in `--json`
/// output and in the JSON schema (`schema/saveimg-output.schema.json`).
public enum Severity: String, Hashable, Sendable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// Nothing to report: libvirt reads and restores the image.
    case ok
    /// Worth knowing; libvirt restores the image.
    case info
    /// libvirt restores the image, but something is off or could not be checked.
    case warning
    /// No answer: a check libvirt makes at restore was not made (the input
    /// or flag that would make it is named). Never a guess of `ok`.
    case cannotTell = "cannot_tell"
    /// libvirt reads the image (dumpxml works) but restore fails, hangs or crashes.
    case restoreFails = "restore_fails"
    /// libvirt refuses to read the image at all.
    case invalid
    /// The file (or directory) could not be opened or read.
    case unreadable

    private var rank: Int {
        switch self {
        case .ok: 0
        case .info: 1
        case .warning: 2
        case .cannotTell: 3
        case .restoreFails: 4
        case .invalid: 5
        case .unreadable: 6
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    /// The JSON spelling (`restore_fails`), also what text output prints.
    public var description: String { rawValue }

    /// The verdict a list of severities adds up to: the worst one, but `info`
    /// alone is still `ok` (informational findings never change a verdict).
    public static func verdict(_ severities: some Sequence<Severity>) -> Severity {
        let worst = severities.max() ?? .ok
        return worst == .info ? .ok : worst
    }
}

/// The name ``Finding/Severity`` refers to (the module's name is shadowed by
/// the ``SaveImage`` type, so the scale is reached through this alias).
public typealias SeverityScale = Severity
