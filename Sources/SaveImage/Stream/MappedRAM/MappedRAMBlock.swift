/// One RAM block of a mapped-ram stream: its entry in the RAM section's block
/// list and the `MappedRamHeader` after it (QEMU migration/ram.c,
/// `mapped_ram_setup_ramblock`), with the block's bitmap of pages present.
///
/// ```
/// u8 len, idstr[len], u64be used_length        (the block list entry)
/// [u64be guest address]                        (only with x-ignore-shared)
/// MappedRamHeader, 28 bytes, big-endian, packed:
///   u32 version (1), u64 page_size, u64 bitmap_offset, u64 pages_offset
/// bitmap at bitmap_offset: ceil(pages / 64) host-endian u64 words;
///   bit (n % 8) of byte n / 8 set = page n is in the file
/// page n at pages_offset + n * page_size (absent pages are holes)
/// ```
/// Offsets are absolute file offsets (QEMU opens the file at libvirt's
/// `offset=` and `qemu_get_offset` is the fd's position).
///
/// With the `x-ignore-shared` capability, QEMU (11.0 on) skips a block backed
/// by shared memory: `bitmap_offset = pages_offset = 0`, no bitmap, no pages;
/// the next entry follows the header. Its contents are in the shared memory
/// backend, not in the image (``isSkipped``).
public struct MappedRAMBlock: Hashable, Sendable, Codable {
    /// The RAMBlock's idstr (`pc.ram`, `pc.bios`, ...).
    public var name: String
    /// The block's size in bytes (`used_length`).
    public var size: UInt64
    /// File offset of the block's list entry (its name length byte).
    public var entryOffset: UInt64
    /// File offset of the `MappedRamHeader`.
    public var headerOffset: UInt64
    public var version: UInt32
    public var pageSize: UInt64
    public var bitmapOffset: UInt64
    public var pagesOffset: UInt64
    /// Pages in the block (`size / pageSize`).
    public var pageCount: UInt64
    /// Pages whose bitmap bit is set.
    public var pagesPresent: UInt64
    /// The bitmap as stored (little-endian words on x86_64); empty for a skipped block.
    public var bitmap: [UInt8]
    /// The block's guest physical address, written before the header when the
    /// stream has the `x-ignore-shared` capability (nil without it).
    public var guestAddress: UInt64? = nil
    /// A block skipped under `x-ignore-shared` (both offsets 0): its pages are
    /// in shared memory outside the image, neither present nor holes.
    public var isSkipped: Bool = false

    /// Pages not in the file (zero pages: holes); 0 for a skipped block.
    public var holes: UInt64 { isSkipped ? 0 : pageCount - min(pagesPresent, pageCount) }  // bounded: subtracts at most pageCount
    /// Bytes of the bitmap: `BITS_TO_LONGS(pages) * sizeof(long)`.
    public var bitmapSize: UInt64 { UInt64(bitmap.count) }
    /// The file offset just past the page region (where the next entry, or the device state, starts).
    /// `MappedRAMLayout.readBlock` checked the sum against the file; a block
    /// decoded from elsewhere whose sum does not fit in 64 bits gives `UInt64.max`.
    public var pagesEnd: UInt64 {
        // A skipped block has no pages: the next entry follows its header.
        let (end, overflow) = isSkipped
            ? headerOffset.addingReportingOverflow(UInt64(MappedRAMLayout.headerSize))
            : pagesOffset.addingReportingOverflow(size)
        return overflow ? .max : end
    }

    /// Whether page `index` is in the file.
    public func isPresent(_ index: UInt64) -> Bool {
        let byte = Int(index / 8)  // bounded: UInt64.max / 8 < Int.max
        return byte < bitmap.count && bitmap[byte] & (1 << UInt8(truncatingIfNeeded: index % 8)) != 0
    }

    /// The size of a bitmap for `pages` pages (64-bit words, as QEMU on a 64-bit host):
    /// `ceil(pages / 64) * 8`, for any `pages` (no `pages + 63` to overflow).
    static func bitmapSize(pages: UInt64) -> UInt64 {
        (pages / 64 + (pages % 64 == 0 ? 0 : 1)) * 8  // bounded: pages / 64 + 1 <= 2^58, times 8 < 2^61
    }

    /// Counts set bits among the first `pages` bits.
    static func countPresent(_ bitmap: [UInt8], pages: UInt64) -> UInt64 {
        var count: UInt64 = 0
        let fullBytes = Int(min(UInt64(bitmap.count), pages / 8))  // bounded: at most bitmap.count, an Int
        for byte in bitmap[0..<fullBytes] { count += UInt64(byte.nonzeroBitCount) }  // bounded: 8 per byte of an in-memory array
        let rest = pages % 8
        if rest > 0, fullBytes < bitmap.count {
            count += UInt64((bitmap[fullBytes] & UInt8((1 << rest) - 1)).nonzeroBitCount)  // bounded: rest is 1...7, the mask at most 0x7f, the count at most 8 more
        }
        return count
    }
}
