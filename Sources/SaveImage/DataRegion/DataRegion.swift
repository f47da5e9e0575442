/// The data region: the `data_len` bytes between the header and the stream.
///
/// ```
/// domain XML, NUL, [gap], cookie, NUL, extension, NUL, ..., zero padding
/// ^0                      ^cookieOffset                                ^data_len
/// ```
///
/// The extension chain starts at cookieOffset and is a sequence of
/// NUL-terminated documents ending at the first empty document (a zero byte)
/// or at data_len. The first document is libvirt's `<cookie>`; libvirt 9.0
/// reads only up to its NUL, so later documents are invisible to it but kept
/// by saveimg.
public struct DataRegion: Hashable, Sendable {
    /// The domain XML (region offset 0).
    public var domainXML: ChainDocument
    /// Bytes after the domain XML's NUL and before the chain (or, when there is
    /// no cookie, up to data_len), as stored. Usually empty (with a cookie) or
    /// all zero (without one).
    public var gap: [UInt8]
    /// The chain from cookieOffset: cookie first, then extensions. Empty when
    /// cookieOffset is 0 or points at a zero byte.
    public var chain: [ChainDocument]
    /// Bytes after the chain up to data_len, as stored (normally all zero).
    public var padding: [UInt8]

    public init(domainXML: ChainDocument, gap: [UInt8] = [], chain: [ChainDocument] = [], padding: [UInt8] = []) {
        self.domainXML = domainXML
        self.gap = gap
        self.chain = chain
        self.padding = padding
    }

    /// The number of region bytes the documents and gap occupy (everything but padding).
    public var usedLength: Int {
        domainXML.storedLength + gap.count + chain.reduce(0) { $0 + $1.storedLength }  // bounded: sizes of in-memory arrays
    }

    /// Total length: what data_len must be.
    public var length: Int { usedLength + padding.count }  // bounded: sizes of in-memory arrays

    /// Number of non-zero bytes in the padding.
    public var nonZeroPaddingBytes: Int { ByteSearch.nonZeroCount(padding) }

    /// The most documents saveimg splits a chain (or a gap) into. Real
    /// images chain a handful; libvirt reads only the first (the cookie), so a
    /// hostile file of millions of tiny documents restores there, but would
    /// cost saveimg gigabytes (a 64 MiB region holds 32 million). The reader
    /// refuses a longer chain as `too_large`, like its region limit.
    public static let maximumDocuments = 4096

    /// NUL-terminated documents found in the gap (e.g. a cookie left behind
    /// when cookieOffset was set to 0); libvirt ignores these. At most
    /// ``maximumDocuments`` + 1 (more than the limit: see
    /// ``DataRegion/maximumDocuments``).
    public var ignoredDocuments: [ChainDocument] {
        let base = UInt32(domainXML.storedLength)  // bounded: the XML's length <= data_len, a UInt32
        return DataRegion.splitDocuments(gap, startingAt: 0, limit: Self.maximumDocuments + 1).map {  // bounded: constant
            ChainDocument(regionOffset: base + $0.regionOffset, bytes: $0.bytes, isTerminated: $0.isTerminated)  // bounded: both within the region, so <= data_len, a UInt32
        }
    }

    /// Splits `bytes` from `start` into NUL-terminated documents, stopping at
    /// the first empty one, or after `limit` documents. Offsets are relative to `bytes`.
    static func splitDocuments(_ bytes: [UInt8], startingAt start: Int, limit: Int = .max) -> [ChainDocument] {
        var documents: [ChainDocument] = []
        var position = start
        while position < bytes.count, bytes[position] != 0, documents.count < limit {
            let nul = ByteSearch.firstIndex(of: 0, in: bytes, range: position..<bytes.count)
            let end = nul ?? bytes.count
            documents.append(ChainDocument(regionOffset: UInt32(position), bytes: Array(bytes[position..<end]),  // bounded: position < bytes.count <= data_len, a UInt32
                                           isTerminated: nul != nil))
            position = end + 1  // bounded: end <= bytes.count (in memory)
        }
        return documents
    }
}
