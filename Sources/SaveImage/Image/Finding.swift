/// Something the reader noticed about an image that does not stop libvirt
/// from reading it (those are thrown as ``SaveImageError``), but may stop
/// libvirt from restoring it, or that a user should know.
public struct Finding: Hashable, Sendable {
    /// How much a finding matters, on the one scale of ``SeverityScale``
    /// (findings use `info`, `warning` and `restore_fails`).
    public typealias Severity = SeverityScale

    /// Stable machine-readable code, e.g. ``Code/formatStreamMismatch``.
    public var code: Code
    public var severity: Severity
    /// What is wrong, naming the field or offset.
    public var message: String
    /// What libvirt 9.0 says or does, when known.
    public var libvirtMessage: String?
    /// Where in the file, if one place applies.
    public var offset: UInt64?

    public init(code: Code, severity: Severity, message: String, libvirtMessage: String? = nil, offset: UInt64? = nil) {
        self.code = code
        self.severity = severity
        self.message = message
        self.libvirtMessage = libvirtMessage
        self.offset = offset
    }
}

extension Finding {
    /// Stable finding codes. The raw value is what `--json` output shows.
    public enum Code: String, Hashable, Sendable, Codable, CaseIterable {
        /// The format is one libvirt 9.0 cannot decompress.
        case formatUnsupported = "format_unsupported"
        /// A version 1 header with a format word libvirt ignores.
        case formatIgnored = "format_ignored"
        /// No migration stream after the data region.
        case streamMissing = "stream_missing"
        /// The stream's first bytes do not match the header's format.
        case formatStreamMismatch = "format_stream_mismatch"
        /// cookieOffset points at a zero byte.
        case cookieEmpty = "cookie_empty"
        /// The cookie has no NUL before data_len.
        case cookieUnterminated = "cookie_unterminated"
        /// The cookie does not parse as libvirt's `<cookie>`.
        case cookieInvalid = "cookie_invalid"
        /// Documents after the domain XML that libvirt ignores (cookieOffset 0).
        case documentsIgnored = "documents_ignored"
        /// Bytes between the domain XML's NUL and the cookie.
        case gap
        /// An extension document is chained after the cookie.
        case extensionPresent = "extension_present"
        /// An extension document is not well-formed XML.
        case extensionInvalid = "extension_invalid"
        /// Non-zero bytes in the padding.
        case paddingNotZero = "padding_not_zero"
        /// The header words are big-endian.
        case bigEndian = "big_endian"
        /// was_running is neither 0 nor 1.
        case wasRunningNonstandard = "was_running_nonstandard"
        /// An unused header word is not zero.
        case unusedWordsSet = "unused_words_set"
        /// The cookie CPU's model differs from the domain XML's.
        case cpuModelMismatch = "cpu_model_mismatch"
    }
}
