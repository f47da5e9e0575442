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

    /// libvirt's `<cookie>`, the same keys as `inspect`'s `cookie` (without its content).
    struct Cookie: Encodable {
        var present: Bool
        var root: String?
        var offset: UInt64?
        var size: Int?
        var terminated: Bool?
    }

    var file: String
    var cookie: Cookie
    var extensions: [Document]

    init(_ image: SaveImage) {
        file = image.path
        let stored = image.cookieDocument
        cookie = Cookie(present: stored != nil, root: stored?.rootElementName, offset: stored?.fileOffset,
                        size: stored?.storedLength, terminated: stored?.isTerminated)
        extensions = image.extensions.enumerated().map { Document($1, index: $0 + 1) }
    }

    /// `ext show --json`: one extension with its text.
    struct Shown: Encodable {
        var file: String
        var `extension`: Document
    }
}
