/// Something the reader noticed about an image that does not stop libvirt
/// from reading it (those are thrown as ``SaveImageError``), but may stop
/// libvirt from restoring it, or that a user should know.
///
/// A finding is a fact: a ``code`` and a typed ``payload``. What a given
/// libvirt release does with it (its severity there, its message, the hint)
/// is that release's to say: `ReaderProfile.reason(for:)` renders it.
/// ``severity`` and ``libvirtMessage`` are the reader's release-neutral
/// defaults (what the component that meets the fact, QEMU, libxml2 or a
/// decompressor, does), used where no target is given.
public struct Finding: Hashable, Sendable {
    /// How much a finding matters, on the one scale of ``SeverityScale``
    /// (findings use `info`, `warning` and `restore_fails`).
    public typealias Severity = SeverityScale

    /// Stable machine-readable code, e.g. ``Code/formatStreamMismatch``.
    public var code: Code
    public var severity: Severity
    /// What is wrong, naming the field or offset.
    public var message: String
    /// What the component that meets the fact prints, in its own words
    /// (QEMU, libxml2 through libvirt, a decompressor), when known.
    public var libvirtMessage: String?
    /// Where in the file, if one place applies.
    public var offset: UInt64?
    /// The fact's typed data, from which a target release renders its words.
    public var payload: Payload

    public init(code: Code, severity: Severity, message: String, libvirtMessage: String? = nil, offset: UInt64? = nil,
                payload: Payload = .none) {
        self.code = code
        self.severity = severity
        self.message = message
        self.libvirtMessage = libvirtMessage
        self.offset = offset
        self.payload = payload
    }
}

extension Finding {
    /// A finding's typed data.
    public enum Payload: Hashable, Sendable {
        case none
        /// The format libvirt applies (``Code/formatUnsupported``, ``Code/formatIgnored``).
        case format(CompressionFormat)
        /// No stream after the data region, for a stream of `format`.
        case streamMissing(format: CompressionFormat)
        /// The stream's first bytes are `found` (nil: no known format) where the header says `header`.
        case streamMismatch(header: CompressionFormat, found: CompressionFormat?)
        /// libxml2 refuses the cookie: its line and message.
        case cookieXML(line: Int, message: String)
        /// The cookie parses, but libvirt's cookie parser refuses it with `message`.
        case cookieRefused(message: String)
        /// The cookie CPU's model and the domain XML's.
        case cpuModels(cookie: String?, domain: String?)
    }

    /// Whether the finding is about the save cookie (a reader older than
    /// the cookie, 3.5.0, never looks at it).
    public var concernsCookie: Bool {
        switch code {
        case .cookieEmpty, .cookieInvalid, .cookieUnterminated: true
        default: false
        }
    }
}

extension Finding {
    /// Stable finding codes. The raw value is what `--json` output shows.
    public enum Code: String, Hashable, Sendable, Codable, CaseIterable {
        /// The format is not one of the five every libvirt restores (the target release decides).
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
