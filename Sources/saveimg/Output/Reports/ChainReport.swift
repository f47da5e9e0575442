import SaveImage

/// `ext list --json`: the cookie and the extensions chained after it.
struct ChainReport: Encodable {
    /// One document of the chain. Extensions count from 1 (the first document
    /// after the cookie), as in `ext show N`, `dumpxml --extension N`,
    /// `inspect`'s `extensions[].index` and layout `extension_N`.
    struct Document: Encodable {
        /// 1-based extension index; absent for the cookie.
        var index: Int?
        var root: String?
        /// Absolute file offset.
        var offset: UInt64
        /// Bytes it occupies, its terminating NUL included (as `layout[].size`).
        var size: Int
        var terminated: Bool
        /// The document as text (`ext show --json` only).
        var text: String?

        init(_ document: ChainDocument, index: Int?) {
            self.index = index
            root = document.rootElementName
            offset = document.fileOffset
            size = document.storedLength
            terminated = document.isTerminated
        }
    }

    /// libvirt's `<cookie>`: inspect's `cookie` without its content.
    typealias Cookie = InspectReport.Cookie

    var file: String
    var cookie: Cookie
    var extensions: [Document]

    init(_ image: SaveImage) {
        file = image.path
        cookie = Cookie(image, content: false)
        extensions = image.extensions.enumerated().map { Document($1, index: $0 + 1) }
    }

    /// `ext show --json`: one extension with its text.
    struct Shown: Encodable {
        var file: String
        var `extension`: Document
    }
}
