/// A libvirt QEMU save image's metadata: header, data region (domain XML
/// and extension chain) and what the stream looks like, read without reading
/// the stream itself.
///
/// ```swift
/// let image = try SaveImage(contentsOf: "/var/lib/libvirt/qemu/save/vm.save")
/// print(image.domain.name ?? "?", image.cookie?.cpu?.model ?? "no cookie CPU")
/// ```
public struct SaveImage: Hashable, Sendable {
    /// The file this image was read from ("" when built in memory).
    public internal(set) var path: String
    /// The 92-byte header.
    public internal(set) var header: SaveImageHeader
    /// The data region between header and stream.
    public internal(set) var region: DataRegion
    /// The file size when read.
    public internal(set) var fileSize: UInt64
    /// The stream's first bytes, for sniffing: ``streamProbeLength`` bytes, or
    /// for a compressed stream a bounded start (64 KiB; zstd 256 KiB; bzip2
    /// 1 MiB) from which the prelude is decompressed.
    public internal(set) var streamPrefix: [UInt8]

    /// How many stream bytes the reader looks at.
    public static let streamProbeLength = 4096

    /// The parsed domain XML.
    public internal(set) var domain: DomainSummary
    /// The parsed cookie, when the chain's first document is a well-formed `<cookie>`.
    public internal(set) var cookie: SaveCookie?
    /// Non-fatal observations; see ``Finding``.
    public internal(set) var findings: [Finding]

    /// The offset where the stream starts.
    public var streamOffset: UInt64 { header.streamOffset }
    /// The stream's size in bytes (0 when the file ends at or before it).
    public var streamLength: UInt64 { fileSize > streamOffset ? fileSize - streamOffset : 0 }  // bounded: fileSize > streamOffset checked in the same expression
    /// What the stream's first bytes say it is.
    public var streamSignature: StreamSignature { StreamSignature(prefix: streamPrefix) }

    /// The cookie document (first of the chain), if any.
    public var cookieDocument: ChainDocument? { region.chain.first }
    /// Extensions chained after the cookie.
    public var extensions: [ChainDocument] { Array(region.chain.dropFirst()) }

    /// The CPU difference between the domain XML and the cookie.
    public var cpuDifference: CPUDifference { CPUDifference(domain: domain.cpu, cookie: cookie?.cpu) }

    /// The QEMU stream prelude (version, machine type), read from the first
    /// stream bytes; for gzip, xz, bzip2 and zstd streams the first bytes are
    /// decompressed (lzop would need the external program: nil).
    public var streamPrelude: QEMUStreamPrelude? {
        switch streamSignature {
        case .qemu: return QEMUStreamPrelude(prefix: streamPrefix)
        case .gzip: return GzipPeek.decompressPrefix(streamPrefix, limit: 512).flatMap(QEMUStreamPrelude.init(prefix:))
        case .xz, .bzip2, .zstd:
            guard let format = streamSignature.impliedFormat else { return nil }
            return StreamPeek.decompressPrefix(streamPrefix, format: format, limit: 512)
                .flatMap(QEMUStreamPrelude.init(prefix:))
        default: return nil
        }
    }
}
