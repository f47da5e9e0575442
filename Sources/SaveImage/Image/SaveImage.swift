/// A libvirt QEMU save image: its metadata (header, data region with the
/// domain XML and extension chain) and its ``stream``, read from the one
/// reader the image was opened with, as Go's `debug/elf` keeps its
/// `ReaderAt`. Reading the metadata never reads the stream beyond its first
/// bytes; everything that reads more takes it from ``stream``.
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
    /// The migration stream, read through the reader the image came from.
    public internal(set) var stream: StreamSource

    /// The stream's first stored bytes (at most ``StreamSource/headLength``), for sniffing.
    public var streamPrefix: [UInt8] { stream.head }

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
    public var streamSignature: StreamSignature { stream.signature }

    /// The cookie document (first of the chain), if any.
    public var cookieDocument: ChainDocument? { region.chain.first }
    /// Extensions chained after the cookie.
    public var extensions: [ChainDocument] { Array(region.chain.dropFirst()) }

    /// The CPU difference between the domain XML and the cookie.
    public var cpuDifference: CPUDifference { CPUDifference(domain: domain.cpu, cookie: cookie?.cpu) }

    /// The QEMU stream prelude (version, machine type), from the stream's
    /// first decoded bytes (``StreamSource/prefix``; nil for lzop, whose
    /// decoder is an external program).
    public var streamPrelude: QEMUStreamPrelude? { stream.prelude }
}
