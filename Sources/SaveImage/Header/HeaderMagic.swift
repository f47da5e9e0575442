/// The 16-byte magic that opens every save image.
public struct HeaderMagic: Hashable, Sendable {
    /// The 16 bytes as stored.
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// `LibvirtQemudSave`: a complete image.
    public static let complete = HeaderMagic(bytes: Array("LibvirtQemudSave".utf8))
    /// `LibvirtQemudPart`: libvirt writes this first and replaces it with
    /// ``complete`` only when QEMU finished writing the stream.
    public static let partial = HeaderMagic(bytes: Array("LibvirtQemudPart".utf8))

    /// The magic as printable text (non-printable bytes as `\xNN`).
    public var printable: String {
        bytes.map { (0x20..<0x7f).contains($0) ? String(UnicodeScalar($0)) : "\\x" + Hex.digits($0) }.joined()
    }
}
