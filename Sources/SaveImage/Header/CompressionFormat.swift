/// The header's `format` word (`compressed` before libvirt 8.x renamed it):
/// how the migration stream after the data region is encoded.
///
/// Unknown values are kept as they are, so an image with a format saveimg
/// does not know still reads and writes back unchanged.
public struct CompressionFormat: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// QEMU's migration stream as is.
    public static let raw = CompressionFormat(rawValue: 0)
    /// Stream piped through `gzip -c`.
    public static let gzip = CompressionFormat(rawValue: 1)
    /// Stream piped through `bzip2 -c`.
    public static let bzip2 = CompressionFormat(rawValue: 2)
    /// Stream piped through `xz -c`.
    public static let xz = CompressionFormat(rawValue: 3)
    /// Stream piped through `lzop -c`.
    public static let lzop = CompressionFormat(rawValue: 4)
    /// Stream piped through `zstd -c` (newer libvirt; 9.0 rejects it at restore).
    public static let zstd = CompressionFormat(rawValue: 5)
    /// QEMU's mapped-ram "sparse" stream (libvirt 10.x).
    public static let sparse = CompressionFormat(rawValue: 6)

    /// All values libvirt has ever defined, in order.
    public static let known: [CompressionFormat] = [.raw, .gzip, .bzip2, .xz, .lzop, .zstd, .sparse]

    /// The name libvirt uses (`save_image_format` in qemu.conf), or nil if unknown.
    public var name: String? {
        switch rawValue {
        case 0: "raw"
        case 1: "gzip"
        case 2: "bzip2"
        case 3: "xz"
        case 4: "lzop"
        case 5: "zstd"
        case 6: "sparse"
        default: nil
        }
    }

    /// Parses a libvirt format name (`gzip`, ...).
    public init?(name: String) {
        guard let match = Self.known.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    /// `gzip (1)` for a known value, `9 (unknown)` for one libvirt never defined.
    public var labeled: String { name.map { "\($0) (\(rawValue))" } ?? "\(rawValue) (unknown)" }

    public var description: String { name ?? "unknown(\(rawValue))" }
}
