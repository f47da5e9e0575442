/// The byte order of a save image header's words.
///
/// libvirt writes the header in the saving host's byte order. A reader takes
/// the words in its own order and, if `version > 2`, byte-swaps the five
/// defined words and tries again (`qemuSaveImageBswapHeader`). saveimg reads
/// as a little-endian host does, and remembers which order the file used so
/// that it writes the header back in the same order.
public enum ByteOrder: String, Hashable, Sendable, Codable, CaseIterable {
    case little
    case big

    /// The endianness the header's words are read and written in (``ByteReader``, ``ByteWriter``).
    public var endianness: Endianness { self == .little ? .little : .big }
}
