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

    /// Decodes a 32-bit word at `offset` of `bytes` in this byte order.
    /// The caller guarantees `offset + 4 <= bytes.count`.
    func word(in bytes: [UInt8], at offset: Int) -> UInt32 {
        let b0 = UInt32(bytes[offset]), b1 = UInt32(bytes[offset + 1])  // bounded: caller guarantees offset + 4 <= bytes.count (header: constant offsets); bytes widen
        let b2 = UInt32(bytes[offset + 2]), b3 = UInt32(bytes[offset + 3])  // bounded: as above
        switch self {
        case .little: return b0 | b1 << 8 | b2 << 16 | b3 << 24
        case .big: return b3 | b2 << 8 | b1 << 16 | b0 << 24
        }
    }

    /// Appends `value` to `bytes` in this byte order.
    func append(_ value: UInt32, to bytes: inout [UInt8]) {
        let le: [UInt8] = [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
                           UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24)]
        bytes.append(contentsOf: self == .little ? le : le.reversed())
    }
}
