/// A digest of the raw migration stream stored in the image's extension
/// chain as `<saveimg-seal sha256='…' bytes='…'/>`, so `check --deep` can
/// tell whether the stream changed since it was sealed. The digest is of the
/// decompressed stream, so it survives `saveimg convert` (which keeps the
/// chain byte-identical).
public struct SaveImageSeal: Hashable, Sendable, Codable {
    /// The root element name of the seal document.
    public static let elementName = "saveimg-seal"

    /// SHA-256 of the raw stream, lowercase hex.
    public var sha256: String
    /// Length of the raw stream.
    public var bytes: UInt64?
    /// Index of the seal in ``SaveImage/extensions``.
    public var extensionIndex: Int?
    /// Why the `bytes` attribute was refused (not an unsigned decimal below
    /// 2^64: `-1`, `0x10`, `1e400`, 2^64 ...); such a seal never matches.
    public var invalidBytes: SaveImageError?

    private enum CodingKeys: String, CodingKey { case sha256, bytes, extensionIndex }

    public init(sha256: String, bytes: UInt64?) {
        self.sha256 = sha256
        self.bytes = bytes
    }

    /// The document stored in the chain.
    public var document: [UInt8] {
        Array("<\(Self.elementName) sha256='\(sha256)'\(bytes.map { " bytes='\($0)'" } ?? "")/>".utf8)
    }

    /// The seal among `image`'s extensions (the last one, if several).
    public static func find(in image: SaveImage) -> SaveImageSeal? {
        for (index, document) in image.extensions.enumerated().reversed() {
            guard let element = try? XMLParser.parse(document.bytes, name: "extension", path: image.path,
                                                     offset: document.fileOffset),
                  element.name == elementName, let digest = element[attribute: "sha256"]
            else { continue }
            var seal = SaveImageSeal(sha256: digest, bytes: nil)
            if let text = element[attribute: "bytes"] {
                let source = Checked.Source(path: image.path, offset: document.fileOffset, field: "<saveimg-seal bytes=...>")
                do { seal.bytes = try Checked.unsignedDecimal(text, source) } catch { seal.invalidBytes = error }
            }
            seal.extensionIndex = index
            return seal
        }
        return nil
    }
}
