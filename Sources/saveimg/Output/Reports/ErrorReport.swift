import SaveImage

/// A command's failure, as the `error` object of its JSON line.
struct ErrorDetail: Encodable, Sendable {
    var code: String
    /// The file the error is about (the image, or an input file such as CPU.xml).
    var path: String?
    var offset: UInt64?
    var field: String?
    var expected: String?
    var found: String?
    var libvirtMessage: String?
    /// The whole error as one sentence (what standard error shows).
    var message: String

    init(_ error: SaveImageError) {
        code = error.code.rawValue
        path = error.path.isEmpty ? nil : error.path
        offset = error.offset
        field = error.field
        expected = error.expected
        found = error.found
        libvirtMessage = error.libvirtMessage
        message = error.description
    }

    init(_ failure: CommandFailure) {
        code = failure.code.rawValue
        path = failure.path
        message = failure.description
    }
}

/// The JSON line of a file a command could not handle:
/// `{"file", "error": {...}}`, plus `valid`/`verdict` for `inspect` and `ok`
/// for `check`.
struct ErrorReport: Encodable {
    var file: String
    var valid: Bool?
    var ok: Bool?
    var verdict: Severity?
    var error: ErrorDetail

    init(file: String, error: ErrorDetail) {
        self.file = file
        self.error = error
    }

    init(file: String, error: SaveImageError) {
        self.init(file: file, error: ErrorDetail(error))
    }
}

extension SaveImageError {
    /// Where the error puts a file on the one scale: `unreadable` when
    /// saveimg could not read it (``SaveImageError/stopsSaveimgOnly``: not
    /// opened, not read, or past saveimg's limits), else `invalid`.
    var severity: Severity { stopsSaveimgOnly ? .unreadable : .invalid }
}
