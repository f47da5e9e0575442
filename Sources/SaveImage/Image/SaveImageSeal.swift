/// A digest of the image's stream stored in its extension chain, so
/// `check --deep` can tell whether the stream changed since it was sealed:
///
/// - `<saveimg-seal digest='guest-state-v1' sha256='…'/>` (saveimg since
///   sparse support): the ``GuestStateDigest`` of the guest state, the same
///   in every format, so it survives any `saveimg convert` (the chain is
///   copied byte-identical), into and out of sparse too;
/// - `<saveimg-seal sha256='…' bytes='…'/>` (no `digest`, older seals): the
///   SHA-256 and length of the decompressed stream bytes. Still verified as
///   such; it survives conversions between raw and the compressed formats
///   but not into sparse (which re-lays the RAM).
public struct SaveImageSeal: Hashable, Sendable, Codable {
    /// The root element name of the seal document.
    public static let elementName = "saveimg-seal"

    /// What a seal's digest is of.
    public enum Digest: String, Hashable, Sendable, Codable {
        /// SHA-256 of the decompressed stream bytes (seals without a `digest` attribute).
        case streamBytes = "stream-sha256"
        /// ``GuestStateDigest`` (`digest='guest-state-v1'`).
        case guestState = "guest-state-v1"
    }

    /// The kind of digest held.
    public var digest: Digest
    /// The digest, lowercase hex.
    public var sha256: String
    /// Length of the raw stream (stream-bytes seals).
    public var bytes: UInt64?
    /// Index of the seal in ``SaveImage/extensions``.
    public var extensionIndex: Int?
    /// Why the `bytes` attribute was refused (not an unsigned decimal below
    /// 2^64: `-1`, `0x10`, `1e400`, 2^64 ...); such a seal never matches.
    public var invalidBytes: SaveImageError?

    private enum CodingKeys: String, CodingKey { case sha256, bytes, extensionIndex, digest }

    public init(sha256: String, bytes: UInt64?, digest: Digest = .streamBytes) {
        self.sha256 = sha256
        self.bytes = bytes
        self.digest = digest
    }

    /// The document stored in the chain.
    public var document: [UInt8] {
        switch digest {
        case .guestState: Array("<\(Self.elementName) digest='\(digest.rawValue)' sha256='\(sha256)'/>".utf8)
        case .streamBytes: Array("<\(Self.elementName) sha256='\(sha256)'\(bytes.map { " bytes='\($0)'" } ?? "")/>".utf8)
        }
    }
}
