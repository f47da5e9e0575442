/// The 92-byte header at the start of every libvirt QEMU save image
/// (`virQEMUSaveHeader` in libvirt's `src/qemu/qemu_saveimage.h`).
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 16 | magic |
/// | 16 | 4 | version |
/// | 20 | 4 | data_len |
/// | 24 | 4 | was_running |
/// | 28 | 4 | format |
/// | 32 | 4 | cookieOffset |
/// | 36 | 56 | unused[14] |
///
/// All words are in the saving host's byte order; see ``ByteOrder``.
public struct SaveImageHeader: Hashable, Sendable {
    /// Size of the header in bytes.
    public static let size = 92
    /// Number of unused words after cookieOffset.
    public static let unusedWordCount = 14
    /// The highest version libvirt writes and reads.
    public static let currentVersion: UInt32 = 2
    /// Padding libvirt leaves after the last string so the XML can grow in place.
    public static let standardPadding: UInt32 = 64 * 1024  // bounded: constant

    /// Offset 0: the magic.
    public var magic: HeaderMagic
    /// Offset 16: the format version (0, 1 or 2; 2 since compressed images).
    public var version: UInt32
    /// Offset 20: bytes between the header and the migration stream.
    public var dataLength: UInt32
    /// Offset 24: 1 if the guest should run after restore (any non-zero does).
    public var wasRunning: UInt32
    /// Offset 28: how the stream is compressed (ignored by libvirt below version 2).
    public var format: CompressionFormat
    /// Offset 32: offset of the cookie within the data region, 0 for none.
    public var cookieOffset: UInt32
    /// Offsets 36..<92: the unused words, as stored. libvirt never byte-swaps
    /// or reads them.
    public var unused: [UInt32]
    /// The byte order the defined words were found in (and are written in).
    public var byteOrder: ByteOrder

    /// Creates a header as libvirt 9.0 would write it.
    public init(
        magic: HeaderMagic = .complete, version: UInt32 = SaveImageHeader.currentVersion,
        dataLength: UInt32, wasRunning: UInt32 = 1, format: CompressionFormat = .raw,
        cookieOffset: UInt32 = 0, unused: [UInt32] = Array(repeating: 0, count: SaveImageHeader.unusedWordCount),
        byteOrder: ByteOrder = .little
    ) {
        self.magic = magic
        self.version = version
        self.dataLength = dataLength
        self.wasRunning = wasRunning
        self.format = format
        self.cookieOffset = cookieOffset
        self.unused = unused
        self.byteOrder = byteOrder
    }

    /// Offset in the file where the migration stream starts: 92 + data_len.
    public var streamOffset: UInt64 { UInt64(Self.size) + UInt64(dataLength) }  // bounded: 92 + a UInt32 < 2^33

    /// Whether libvirt resumes the guest after restore (any non-zero value).
    public var resumesGuest: Bool { wasRunning != 0 }

    /// The format libvirt applies to the stream: the format word from version
    /// 2 on; version 1 images predate it and are read raw. The one place this
    /// rule is written.
    public var effectiveFormat: CompressionFormat { version >= 2 ? format : .raw }

    /// The number of domain-XML bytes libvirt reads: cookieOffset, or data_len without a cookie.
    public var domainXMLReadLength: UInt32 { cookieOffset != 0 ? cookieOffset : dataLength }
}

/// Byte offsets of the header fields, for error messages and in-place edits.
public enum HeaderField: String, Sendable, CaseIterable {
    case magic, version, dataLength = "data_len", wasRunning = "was_running"
    case format, cookieOffset, unused

    /// The field's offset in the header.
    public var offset: Int {
        switch self {
        case .magic: 0
        case .version: 16
        case .dataLength: 20
        case .wasRunning: 24
        case .format: 28
        case .cookieOffset: 32
        case .unused: 36
        }
    }
}
