/// What the migration stream looks like from its first bytes.
public enum StreamSignature: Hashable, Sendable {
    /// A raw QEMU migration stream: `QEVM` followed by the stream version.
    case qemu(version: UInt32)
    /// A stream starting with a compressed format's magic (``StreamFormat/magic``).
    case compressed(CompressionFormat)
    /// No bytes at all after the data region.
    case empty
    /// Bytes saveimg does not recognise (the first few are kept).
    case unknown(prefix: [UInt8])

    public static var gzip: StreamSignature { .compressed(.gzip) }
    public static var bzip2: StreamSignature { .compressed(.bzip2) }
    public static var xz: StreamSignature { .compressed(.xz) }
    public static var lzop: StreamSignature { .compressed(.lzop) }
    public static var zstd: StreamSignature { .compressed(.zstd) }

    /// Recognises a stream from its first bytes.
    public init(prefix bytes: [UInt8]) {
        if bytes.isEmpty {
            self = .empty
        } else if bytes.starts(with: QEMUStreamPrelude.magic),
                  let version = Endianness.big.integer(UInt32.self, in: bytes, at: 4) {
            self = .qemu(version: version)
        } else if let row = StreamFormat.compressed(startingWith: bytes) {
            self = .compressed(row.format)
        } else {
            self = .unknown(prefix: Array(bytes.prefix(8)))
        }
    }

    /// The header format this stream matches (raw for a QEMU stream), or nil.
    public var impliedFormat: CompressionFormat? {
        switch self {
        case .qemu: .raw
        case .compressed(let format): format
        case .empty, .unknown: nil
        }
    }

    /// Short name for output: `qemu-v3`, `gzip`, `empty`, `unknown`.
    public var name: String {
        switch self {
        case .qemu(let version): "qemu-v\(version)"
        case .compressed(let format): format.description
        case .empty: "empty"
        case .unknown: "unknown"
        }
    }
}
