import SaveImage

/// A failed image, as JSON: `{"filename":..., "error": {...}}`.
struct ErrorReport: Encodable {
    struct Detail: Encodable {
        var code: String
        var offset: UInt64?
        var field: String
        var expected: String
        var found: String
        var libvirtMessage: String?
        var message: String
    }
    var filename: String
    var valid = false
    var error: Detail

    init(path: String, error: SaveImageError) {
        filename = path
        self.error = Detail(code: error.code.rawValue, offset: error.offset, field: error.field,
                            expected: error.expected, found: error.found,
                            libvirtMessage: error.libvirtMessage, message: error.description)
    }
}
