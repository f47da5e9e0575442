/// The structure of a mapped-ram ("sparse", format 6) stream, read from the
/// file with positional reads and every offset checked against the file:
/// the configuration section, the RAM section's start with its block list
/// and each block's ``MappedRAMBlock`` header and bitmap, and where the
/// device state begins (just past the last block's pages).
///
/// ```
/// stream   "QEVM" u32be(3), 0x07 configuration (capabilities incl. "mapped-ram")
///          0x01 u32be(id) u8(3) "ram" u32be(instance) u32be(version 4)
///          u64be(total | RAM_SAVE_FLAG_MEM_SIZE)
///          per block: entry [+ u64be guest address with x-ignore-shared] + MappedRamHeader,
///                     bitmap, padding to 1 MiB, pages (none of the three for a
///                     block skipped under x-ignore-shared: both offsets 0)
/// device   u64be(RAM_SAVE_FLAG_EOS) 0x7e u32be(id), then sections as in any stream,
///          QEMU_VM_EOF, VM description
/// ```
///
/// Reading it costs the metadata and the bitmaps (one bit per page), never the pages.
public struct MappedRAMLayout: Hashable, Sendable {
    /// QEMU's alignment of each block's page region (`MAPPED_RAM_FILE_OFFSET_ALIGNMENT`).
    public static let alignment: UInt64 = 0x100000
    /// `MAPPED_RAM_HDR_VERSION`.
    public static let headerVersion: UInt32 = 1
    static let headerSize = 28
    /// The most bytes of bitmaps a stream may have over all its blocks: 256 MiB,
    /// 2^31 pages (8 TiB of 4 KiB pages). Reading and writing hold the bitmaps in
    /// memory: the reader refuses more (before reading them), the writer will not
    /// allocate more.
    static let maxBitmapSize: UInt64 = 256 << 20
    /// The most blocks a RAM section may list (QEMU has a few dozen at most).
    static let maxBlocks = 4096
    static let memSizeFlag: UInt64 = 0x04

    public var path: String
    /// File offset of the QEMU stream.
    public var streamOffset: UInt64
    public var streamVersion: UInt32
    public var configuration: StreamConfiguration
    /// The RAM section's header bytes, from its 0x01 type byte to its version.
    public var ramSectionHeader: [UInt8]
    public var ramSectionID: UInt32
    /// File offset of the RAM section's 0x01 byte.
    public var ramSectionOffset: UInt64
    /// The total RAM announced with RAM_SAVE_FLAG_MEM_SIZE.
    public var totalRAM: UInt64
    public var blocks: [MappedRAMBlock]
    /// File offset of the first byte after the last block's pages: the RAM
    /// section's EOS, then the other devices' state.
    public var deviceStateOffset: UInt64
    /// The file's apparent size.
    public var fileSize: UInt64

    // The sums below cannot overflow: `read` builds every layout, with at most
    // `maxBlocks` (2^12) blocks of at most 2^31 pages in all (`maxBitmapSize`).

    /// Pages in the file, over all blocks.
    public var pagesPresent: UInt64 { blocks.reduce(0) { $0 + $1.pagesPresent } }  // bounded: at most 2^12 blocks of 2^31 pages (see above)
    /// Holes (zero pages), over all blocks.
    public var holes: UInt64 { blocks.reduce(0) { $0 + $1.holes } }  // bounded: as above

    /// Reads the layout of the stream at `streamOffset` of `file`.
    /// `file` is any positional source: an open file, or bytes in memory (the fuzzer).
    public static func read(
        _ file: borrowing some PositionalReader & ~Copyable, streamOffset: UInt64
    ) throws(SaveImageError) -> MappedRAMLayout {
        let path = file.path
        let prefixBytes = try file.read(at: streamOffset, count: 64 << 10)
        var served = false
        let cursor = try StreamCursor(hashing: false) {
            if served { return nil }
            served = true
            return prefixBytes
        }
        func fail(_ offset: UInt64, _ field: String, _ expected: String, _ found: String) -> SaveImageError {
            SaveImageError(.badStream, path: path, offset: offset, field: field, expected: expected, found: found)
        }
        let configuration: StreamConfiguration
        let version: UInt32
        let ramOffset: UInt64
        let header: [UInt8]
        let sectionID: UInt32
        let total: UInt64
        do throws(SaveImageError) {
            cursor.context = "stream magic"
            let magic = try cursor.bytes(4, "QEMU_VM_FILE_MAGIC")
            guard magic == QEMUStreamPrelude.magic else {
                throw fail(streamOffset, "stream magic", "\"QEVM\" (a QEMU migration stream)", "\(magic)")
            }
            version = try cursor.u32("the stream version")
            // From here on the cursor has read bytes of the file at streamOffset, so
            // streamOffset plus what it consumed is at most the file's size (< 2^63).
            guard version == 3 else { throw fail(streamOffset + 4, "stream version", "3", "\(version)") }  // bounded: 8 bytes read at streamOffset
            guard cursor.peek(1) == [QEMUStreamPrelude.configurationSection] else {
                throw fail(streamOffset + 8, "configuration section", "QEMU_VM_CONFIGURATION (0x07)",  // bounded: 8 bytes read at streamOffset
                           "\(cursor.peek(1))")
            }
            cursor.context = "configuration section"
            _ = try cursor.byte()
            configuration = try StreamConfiguration.read(from: cursor)
            guard configuration.capabilities.contains("mapped-ram") else {
                throw fail(streamOffset + 8, "configuration/capabilities",  // bounded: 8 bytes read at streamOffset
                           "a capability list naming mapped-ram (a sparse stream)",
                           configuration.capabilities.isEmpty ? "no capabilities" : configuration.capabilities.joined(separator: ", "))
            }
            cursor.context = "RAM section"
            ramOffset = streamOffset + cursor.offset  // bounded: cursor.offset bytes read at streamOffset
            let type = try cursor.byte("a section type")
            sectionID = try cursor.u32("a section id")
            let nameLength = try cursor.byte("an idstr length")
            let name = try cursor.bytes(Int(nameLength), "an idstr")  // bounded: a UInt8
            let instance = try cursor.u32("an instance id")
            let sectionVersion = try cursor.u32("a version id")
            guard type == 0x01, name == Array("ram".utf8) else {
                throw fail(ramOffset, "RAM section", "QEMU_VM_SECTION_START (0x01) of \"ram\" first",
                           "type \(type) '\(String(decoding: name, as: UTF8.self))'")
            }
            var section = ByteWriter()
            section.writeInteger(type, .big)
            section.writeInteger(sectionID, .big)
            section.writeInteger(nameLength, .big)
            section.writeBytes(name)
            section.writeInteger(instance, .big)
            section.writeInteger(sectionVersion, .big)
            header = section.bytes
            let word = try cursor.u64("the RAM size record")
            guard word & 0xfff == memSizeFlag else {
                throw fail(streamOffset + cursor.offset - 8, "RAM size record", "RAM_SAVE_FLAG_MEM_SIZE (0x04)",  // bounded: the cursor just read this 8-byte word at streamOffset
                           "flags " + Hex.number(word & 0xfff))
            }
            total = word & ~0xfff
        } catch {
            throw error.locating(path, base: streamOffset)
        }

        // With x-ignore-shared each entry carries the block's guest address, and a
        // block backed by shared memory is skipped (QEMU 11.0 on).
        let ignoreShared = configuration.capabilities.contains("x-ignore-shared")
        var blocks: [MappedRAMBlock] = []
        var bitmapBytes: UInt64 = 0
        var entry = streamOffset + cursor.offset  // bounded: cursor.offset bytes read at streamOffset
        var remaining = total
        // Every region QEMU reads: none may overlap another (nor libvirt's header and XML).
        var regions: [(start: UInt64, end: UInt64, what: String)] = [
            (0, streamOffset, "libvirt's header and domain XML"), (streamOffset, entry, "the stream's start"),
        ]
        while remaining > 0 {
            guard blocks.count < maxBlocks else {
                throw fail(entry, "RAM block list", "at most \(maxBlocks) blocks", "more (the sizes do not add up to \(total))")
            }
            let block = try readBlock(file, at: entry, remaining: remaining, total: total, bitmapBytes: bitmapBytes,
                                      ignoreShared: ignoreShared)
            bitmapBytes += block.bitmapSize  // bounded: readBlock checked bitmapBytes + bitmapSize <= maxBitmapSize
            // readBlock read the entry and its 28-byte header from the file, and checked
            // bitmapOffset + bitmapSize and pagesOffset + size against the file's size.
            var own: [(start: UInt64, end: UInt64, what: String, field: String, at: UInt64)] = [
                (block.entryOffset, block.headerOffset + UInt64(headerSize), "entry and header of '\(block.name)'",  // bounded: the header was read from the file
                 "RAM block entry", block.entryOffset),
            ]
            if !block.isSkipped { own += [  // bounded: an array append (a skipped block has neither bitmap nor pages)
                (block.bitmapOffset, block.bitmapOffset + block.bitmapSize, "bitmap of '\(block.name)'",  // bounded: readBlock checked the sum (Checked.add, <= file size)
                 "mapped-ram bitmap_offset", block.headerOffset + 12),  // bounded: within the header read from the file
                (block.pagesOffset, block.pagesEnd, "pages of '\(block.name)'", "mapped-ram pages_offset", block.headerOffset + 20),  // bounded: pagesEnd: readBlock checked pagesOffset + size (Checked.add, <= file size); +20 within the header read
            ] }
            for region in own where region.end > region.start {
                if let clash = regions.first(where: { region.start < $0.end && $0.start < region.end }) {
                    throw fail(region.at, region.field,
                               "a region not overlapping \(clash.what) [\(clash.start), \(clash.end))",
                               "\(region.what) at [\(region.start), \(region.end))")
                }
                regions.append((region.start, region.end, region.what))
            }
            blocks.append(block)
            remaining = try Checked.subtract(remaining, block.size,
                                             Checked.Source(path: path, offset: block.entryOffset, field: "RAM block size"))
            entry = block.pagesEnd
        }
        guard entry <= file.size else {
            throw fail(entry, "device state", "the device state after the last block's pages (file is \(file.size) bytes)",
                       "an offset past the end of the file")
        }
        return MappedRAMLayout(
            path: path, streamOffset: streamOffset, streamVersion: version, configuration: configuration,
            ramSectionHeader: header, ramSectionID: sectionID, ramSectionOffset: ramOffset, totalRAM: total,
            blocks: blocks, deviceStateOffset: entry, fileSize: file.size)
    }

    /// Reads one block list entry and its MappedRamHeader at `entry`, and its
    /// bitmap, unless it would take the bitmaps past `maxBitmapSize` (the blocks
    /// before it have `bitmapBytes`, at most `maxBitmapSize`).
    static func readBlock(
        _ file: borrowing some PositionalReader & ~Copyable, at entry: UInt64, remaining: UInt64, total: UInt64,
        bitmapBytes: UInt64, ignoreShared: Bool = false
    ) throws(SaveImageError) -> MappedRAMBlock {
        let path = file.path
        func fail(_ offset: UInt64, _ field: String, _ expected: String, _ found: String) -> SaveImageError {
            SaveImageError(.badStream, path: path, offset: offset, field: field, expected: expected, found: found)
        }
        let addressSize = ignoreShared ? 8 : 0
        let bytes = try file.read(at: entry, count: 1 + 255 + 8 + addressSize + headerSize)  // bounded: constants
        guard let length = bytes.first.map(Int.init), bytes.count >= 1 + length + 8 + addressSize + headerSize else {  // bounded: length <= 255, the rest constants
            throw fail(entry, "RAM block entry",
                       ignoreShared ? "a block name, size, guest address (x-ignore-shared) and 28-byte mapped-ram header"
                                    : "a block name, size and 28-byte mapped-ram header",
                       "end of file after \(bytes.count) bytes")
        }
        // The bytes from entry on were read from the file: entry + bytes.count <= the file's size,
        // and every offset below into them (up to 1 + length + 8 + 28) is below it.
        let nameBytes = bytes[1..<(1 + length)]  // bounded: length <= 255, checked against bytes.count
        // The name is written back with its length byte (out of sparse): a name that
        // is not UTF-8 would change (each bad byte becoming 3) and could pass 255 bytes.
        guard let name = String(validating: nameBytes, as: UTF8.self) else {
            throw fail(entry + 1, "RAM block name", "a RAM block name in UTF-8 (QEMU's idstr)",  // bounded: entry's bytes were read
                       "bytes \(Hex.bytes(nameBytes)) that are not")
        }
        var at = 1 + length  // bounded: length <= 255
        let sizeOffset = entry + UInt64(at)  // bounded: within the bytes read at entry
        let entryBytes = ByteReader(bytes, path: path, base: entry)
        let size = try entryBytes.integer(at: at, as: UInt64.self, .big, field: "RAM block size")
        guard size <= remaining else {
            throw fail(sizeOffset, "RAM block size", "blocks adding up to \(total) bytes",
                       "'\(name)' of \(size) bytes with \(remaining) left")
        }
        guard size > 0 else { throw fail(sizeOffset, "RAM block size", "a size above 0", "0 for '\(name)'") }
        at += 8  // bounded: an index into bytes, at most 264
        var guestAddress: UInt64?
        if ignoreShared {
            guestAddress = try entryBytes.integer(at: at, as: UInt64.self, .big, field: "RAM block guest address (x-ignore-shared)")
            at += 8  // bounded: an index into bytes, at most 272
        }
        let headerOffset = entry + UInt64(at)  // bounded: within the bytes read at entry
        let pageSizeField = headerOffset + 4, bitmapOffsetField = headerOffset + 12  // bounded: within the 28-byte header read
        let pagesOffsetField = headerOffset + 20, headerEnd = headerOffset + UInt64(headerSize)  // bounded: within the 28-byte header read from the file
        let version = try entryBytes.integer(at: at, as: UInt32.self, .big, field: "mapped-ram header version")
        let pageSize = try entryBytes.integer(at: at + 4, as: UInt64.self, .big, field: "mapped-ram page_size")  // bounded: at + 28 <= bytes.count (checked above)
        let bitmapOffset = try entryBytes.integer(at: at + 12, as: UInt64.self, .big, field: "mapped-ram bitmap_offset")  // bounded: as above
        let pagesOffset = try entryBytes.integer(at: at + 20, as: UInt64.self, .big, field: "mapped-ram pages_offset")  // bounded: as above
        guard version == headerVersion else {
            throw fail(headerOffset, "mapped-ram header version",
                       "\(headerVersion) (QEMU: \"Migration mapped-ram capability version not supported (expected <= 1, got \(version))\")",
                       "\(version)")
        }
        guard pageSize > 0, pageSize & (pageSize - 1) == 0, pageSize <= 1 << 30 else {  // bounded: pageSize > 0 is tested first
            throw fail(pageSizeField, "mapped-ram page_size", "a power of two up to 1 GiB", "\(pageSize)")
        }
        guard size % pageSize == 0 else {
            throw fail(sizeOffset, "RAM block size", "a multiple of the page size \(pageSize)",
                       "\(size) for '\(name)'")
        }
        let pages = size / pageSize
        if ignoreShared, bitmapOffset == 0, pagesOffset == 0 {
            // Skipped under x-ignore-shared: no bitmap, no pages (QEMU 11.0's
            // parse_ramblock_mapped_ram returns here).
            return MappedRAMBlock(
                name: name, size: size, entryOffset: entry, headerOffset: headerOffset, version: version, pageSize: pageSize,
                bitmapOffset: 0, pagesOffset: 0, pageCount: pages, pagesPresent: 0, bitmap: [],
                guestAddress: guestAddress, isSkipped: true)
        }
        let bitmapSize = MappedRAMBlock.bitmapSize(pages: pages)
        guard bitmapSize <= maxBitmapSize - min(bitmapBytes, maxBitmapSize) else {  // bounded: subtracts at most maxBitmapSize
            let after = bitmapBytes > 0 ? " after blocks with \(bitmapBytes) bytes of bitmaps" : ""
            throw fail(sizeOffset, "RAM block size", "at most 8 TiB of RAM in all (256 MiB of bitmaps)",
                       "\(size) bytes for '\(name)'\(after)")
        }
        let source = Checked.Source(path: path, offset: bitmapOffsetField, field: "mapped-ram bitmap_offset")
        let bitmapEnd = try Checked.add(bitmapOffset, bitmapSize, source)
        guard bitmapEnd <= file.size else {
            throw fail(bitmapOffsetField, "mapped-ram bitmap_offset",
                       "a \(bitmapSize)-byte bitmap inside the file (\(file.size) bytes; QEMU writes it at \(headerEnd))",
                       "\(bitmapOffset), ending at \(bitmapEnd): past the end of the file")
        }
        let pagesEnd = try Checked.add(pagesOffset, size, Checked.Source(path: path, offset: pagesOffsetField, field: "mapped-ram pages_offset"))
        guard pagesOffset % pageSize == 0 else {
            throw fail(pagesOffsetField, "mapped-ram pages_offset",
                       "an offset aligned to the page size \(pageSize) (QEMU: \"region has bad alignment\")", "\(pagesOffset)")
        }
        guard pagesEnd <= file.size else {
            throw fail(pagesOffsetField, "mapped-ram pages_offset",
                       "\(size) bytes of pages inside the file (\(file.size) bytes)",
                       "\(pagesOffset), ending at \(pagesEnd): past the end of the file")
        }
        let bitmap = try file.read(at: bitmapOffset, count: Int(bitmapSize))  // bounded: at most maxBitmapSize (checked above)
        guard UInt64(bitmap.count) == bitmapSize else {
            throw fail(bitmapOffset, "mapped-ram bitmap", "\(bitmapSize) bytes", "\(bitmap.count) (end of file)")
        }
        return MappedRAMBlock(
            name: name, size: size, entryOffset: entry, headerOffset: headerOffset, version: version, pageSize: pageSize,
            bitmapOffset: bitmapOffset, pagesOffset: pagesOffset, pageCount: pages,
            pagesPresent: MappedRAMBlock.countPresent(bitmap, pages: pages), bitmap: bitmap, guestAddress: guestAddress)
    }
}
