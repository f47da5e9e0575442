/// An error reading, checking or writing a save image.
///
/// Every error names the file, the field or byte offset involved, what was
/// expected and what was found. Where real libvirt rejects the same input,
/// ``libvirtMessage`` holds the message libvirt 9.0 prints for it, so tools can
/// show users exactly what `virsh restore` would have said.
public struct SaveImageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as a stable, machine-readable code.
    public var code: Code
    /// The file the error is about (may be empty for in-memory data).
    public var path: String
    /// The byte offset in the file the error is about, if one applies.
    public var offset: UInt64?
    /// The header field or data-region part involved, e.g. `data_len`.
    public var field: String
    /// What a valid image has here.
    public var expected: String
    /// What this file has here.
    public var found: String
    /// The message libvirt 9.0 reports for this input, if it rejects it.
    public var libvirtMessage: String?

    public init(
        _ code: Code, path: String, offset: UInt64? = nil, field: String,
        expected: String, found: String, libvirtMessage: String? = nil
    ) {
        self.code = code
        self.path = path
        self.offset = offset
        self.field = field
        self.expected = expected
        self.found = found
        self.libvirtMessage = libvirtMessage
    }

    public var description: String {
        var text = path.isEmpty ? "" : "\(path): "
        if let offset { text += "offset \(offset): " }
        text += "\(field): expected \(expected), found \(found)"
        if let libvirtMessage, !found.contains(libvirtMessage) { text += " (libvirt: \(libvirtMessage))" }
        return text
    }
}

extension SaveImageError {
    /// True when the error stops saveimg, not libvirt: the file could not be
    /// opened or read (`io`, `not_regular_file`), or it exceeds a limit
    /// saveimg keeps against hostile files and libvirt does not have
    /// (`too_large`: measured on 9.0, a 68 MB data region and a chain of 30
    /// million documents restore). Such an error says nothing about whether
    /// libvirt reads or restores the image.
    public var stopsSaveimgOnly: Bool {
        switch code {
        case .io, .notRegularFile, .tooLarge: true
        default: false
        }
    }
}

extension SaveImageError {
    /// Stable error codes. The raw value is what `--json` output shows.
    public enum Code: String, Hashable, Sendable, Codable, CaseIterable {
        /// The file is shorter than the 92-byte header.
        case truncatedHeader = "truncated_header"
        /// The magic is `LibvirtQemudPart`: the save never completed.
        case incompleteSave = "incomplete_save"
        /// The magic is neither `LibvirtQemudSave` nor `LibvirtQemudPart`.
        case badMagic = "bad_magic"
        /// The version is above 2 in both byte orders.
        case unsupportedVersion = "unsupported_version"
        /// data_len is 0.
        case invalidDataLength = "invalid_data_length"
        /// The domain XML (data_len or cookieOffset bytes) runs past the end of the file.
        case domainXMLPastEndOfFile = "domain_xml_past_eof"
        /// The cookie part of the data region runs past the end of the file.
        case cookiePastEndOfFile = "cookie_past_eof"
        /// cookieOffset is larger than data_len.
        case cookieOffsetPastDataLength = "cookie_offset_past_data_len"
        /// The domain XML has no NUL terminator before cookieOffset / data_len.
        case domainXMLNotTerminated = "domain_xml_not_terminated"
        /// An XML document does not parse.
        case malformedXML = "malformed_xml"
        /// An XML document parses but is not what the field requires.
        case unexpectedXML = "unexpected_xml"
        /// A document or region is larger than saveimg is willing to read.
        case tooLarge = "too_large"
        /// The path is not a regular file.
        case notRegularFile = "not_regular_file"
        /// An operating-system call failed.
        case io = "io"
        /// Another process holds the image (lock, or a save in progress).
        case busy = "busy"
        /// An edit would not fit, or conflicts with the image.
        case editRejected = "edit_rejected"
        /// The stream is damaged or inconsistent with the header.
        case badStream = "bad_stream"
        /// A number read from the file does not parse, or overflows what it
        /// is combined with (see ``Checked``).
        case valueOutOfRange = "value_out_of_range"

        /// Matches any error carrying this code: `catch SaveImageError.Code.badMagic`.
        public static func ~= (code: Code, error: any Error) -> Bool {
            (error as? SaveImageError)?.code == code
        }
    }
}
