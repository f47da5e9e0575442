/// Something the reader noticed about an image that does not stop libvirt
/// from reading it (those are thrown as ``SaveImageError``), but may stop
/// libvirt from restoring it, or that a user should know.
public struct Finding: Hashable, Sendable {
    /// How much a finding matters.
    public enum Severity: String, Hashable, Sendable, Codable, Comparable {
        /// Worth knowing; libvirt restores the image.
        case info
        /// libvirt restores the image, but something is off.
        case warning
        /// libvirt 9.0 reads the image (dumpxml works) but restore fails, hangs or crashes.
        case restoreFails = "restore_fails"

        private var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    /// Stable machine-readable code, e.g. `format_stream_mismatch`.
    public var code: String
    public var severity: Severity
    /// What is wrong, naming the field or offset.
    public var message: String
    /// What libvirt 9.0 says or does, when known.
    public var libvirtMessage: String?
    /// Where in the file, if one place applies.
    public var offset: UInt64?

    public init(code: String, severity: Severity, message: String, libvirtMessage: String? = nil, offset: UInt64? = nil) {
        self.code = code
        self.severity = severity
        self.message = message
        self.libvirtMessage = libvirtMessage
        self.offset = offset
    }
}
