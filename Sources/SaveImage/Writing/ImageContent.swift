/// What an edited image holds, independent of where the bytes go: the domain
/// XML, the extension chain (cookie first) and the header words an edit may
/// change. ``WritePlan`` decides the layout.
public struct ImageContent: Hashable, Sendable {
    /// The domain XML bytes (no NUL).
    public var domainXML: [UInt8]
    /// The chain documents (no NULs): libvirt's cookie first, then extensions.
    /// Empty for an image without a cookie.
    public var chain: [[UInt8]]
    /// The was_running word.
    public var wasRunning: UInt32

    public init(domainXML: [UInt8], chain: [[UInt8]], wasRunning: UInt32) {
        self.domainXML = domainXML
        self.chain = chain
        self.wasRunning = wasRunning
    }

    /// Bytes the documents need in the data region: each document and its NUL.
    public var usedLength: Int { domainXML.count + 1 + chain.reduce(0) { $0 + $1.count + 1 } }

    /// The chain laid out as stored: every document followed by its NUL.
    var chainBytes: [UInt8] {
        var bytes: [UInt8] = []
        for document in chain { bytes += document; bytes.append(0) }
        return bytes
    }
}

extension SaveImage {
    /// The image's current content.
    public var content: ImageContent {
        ImageContent(domainXML: region.domainXML.bytes, chain: region.chain.map(\.bytes), wasRunning: header.wasRunning)
    }
}
