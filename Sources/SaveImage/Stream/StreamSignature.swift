/// What the migration stream looks like from its first bytes.
public enum StreamSignature: Hashable, Sendable {
    /// A raw QEMU migration stream: `QEVM` followed by the stream version.
    case qemu(version: UInt32)
    case gzip
    case bzip2
    case xz
    case lzop
    case zstd
    /// No bytes at all after the data region.
    case empty
    /// Bytes saveimg does not recognise (the first few are kept).
    case unknown(prefix: [UInt8])

    /// Recognises a stream from its first bytes.
    public init(prefix bytes: [UInt8]) {
        func starts(_ magic: [UInt8]) -> Bool { bytes.count >= magic.count && Array(bytes.prefix(magic.count)) == magic }
        if bytes.isEmpty {
            self = .empty
        } else if starts(Array("QEVM".utf8)) && bytes.count >= 8 {
            self = .qemu(version: ByteOrder.big.word(in: bytes, at: 4))
        } else if starts([0x1f, 0x8b]) {
            self = .gzip
        } else if starts(Array("BZh".utf8)) {
            self = .bzip2
        } else if starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) {
            self = .xz
        } else if starts([0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]) {
            self = .lzop
        } else if starts([0x28, 0xb5, 0x2f, 0xfd]) {
            self = .zstd
        } else {
            self = .unknown(prefix: Array(bytes.prefix(8)))
        }
    }

    /// The header format this stream matches (raw for a QEMU stream), or nil.
    public var impliedFormat: CompressionFormat? {
        switch self {
        case .qemu: .raw
        case .gzip: .gzip
        case .bzip2: .bzip2
        case .xz: .xz
        case .lzop: .lzop
        case .zstd: .zstd
        case .empty, .unknown: nil
        }
    }

    /// Short name for output: `qemu-v3`, `gzip`, `empty`, `unknown`.
    public var name: String {
        switch self {
        case .qemu(let version): "qemu-v\(version)"
        case .empty: "empty"
        case .unknown: "unknown"
        default: impliedFormat?.name ?? "unknown"
        }
    }
}
