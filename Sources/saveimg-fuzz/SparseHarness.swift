// Harness "sparse": a libvirt 11 sparse image (QEMU mapped-ram, format 6)
// through the one read path, the mapped-ram layout reader and the raw
// stream the deep check walks. An input is
//
//     u16be(L)  L program bytes  u64be(apparent size)  extents
//     extent:   u64be(offset) u32be(length) bytes
//
// a file with holes held as its non-zero runs (scripts/fuzz-seeds.py writes
// the real sparse fixtures this way, most page data left out), so a 36 MB
// image costs kilobytes. Bytes not in an extent read as zeros; a later
// extent overrides an earlier one.
//
// The program makes structure-aware edits first: with the landmarks of the
// unedited image's layout (the RAM size record, each block's entry, its
// mapped-ram header fields, its bitmap, its page region, the device state,
// the capability list) it rewrites a block size, the header version, page
// size, bitmap or pages offset with extreme or near-miss values, fills or
// clears bitmap bytes, sets bits past a block's last page, drops
// "mapped-ram" from the capabilities, cuts the file, or changes the
// header's format word. Byte-level mutation by libFuzzer does the rest.
//
// Invariants: nothing traps; every reported offset lies in the file; a
// layout that reads has its bitmaps and page regions inside the file, in
// order, not overlapping; a raw stream produced from it has exactly the
// length the layout announces; walking it counts every byte.
#if SAVEIMG_FUZZ
import Glibc
import SaveImage

/// A file with holes, in memory: the extents are its only non-zero bytes.
struct ExtentFile: PositionalReader {
    var path: String { "fuzz.sav" }
    var size: UInt64
    var extents: [(offset: UInt64, bytes: [UInt8])]

    /// Parses `u64be(size)` then extents; a torn extent at the end is kept as far as it goes.
    init(_ bytes: ArraySlice<UInt8>) {
        var input = bytes
        func take(_ count: Int) -> UInt64? {
            guard input.count >= count else { return nil }
            defer { input = input.dropFirst(count) }
            return input.prefix(count).reduce(0) { $0 << 8 | UInt64($1) }
        }
        // At most 64 MiB apparent (the seeds are 36 MB): the harness holds the
        // whole raw stream in memory, up to a record per page of the file.
        size = min(take(8) ?? 0, 64 << 20)
        extents = []
        while let offset = take(8), let length = take(4), extents.count < 4096 {
            let body = Array(input.prefix(Int(length)))
            input = input.dropFirst(body.count)
            guard offset < size else { continue }
            extents.append((offset, Array(body.prefix(Int(min(UInt64(body.count), size - offset))))))
        }
    }

    func read(at offset: UInt64, count: Int) throws(SaveImageError) -> [UInt8] {
        guard count > 0, offset < size else { return [] }
        let length = Int(min(UInt64(count), size - offset))
        var out = [UInt8](repeating: 0, count: length)
        let end = offset + UInt64(length)
        for extent in extents {
            let extentEnd = extent.offset + UInt64(extent.bytes.count)
            guard extent.offset < end, offset < extentEnd else { continue }
            let from = max(offset, extent.offset), to = min(end, extentEnd)
            out.replaceSubrange(Int(from - offset)..<Int(to - offset),
                                with: extent.bytes[Int(from - extent.offset)..<Int(to - extent.offset)])
        }
        return out
    }

    /// Writes `bytes` at `offset` (as a new extent that overrides what is there).
    mutating func write(_ bytes: [UInt8], at offset: UInt64) {
        guard offset < size, !bytes.isEmpty else { return }
        extents.append((offset, Array(bytes.prefix(Int(min(UInt64(bytes.count), size - offset))))))
    }

    mutating func putWord(_ value: UInt64, bytes count: Int, at offset: UInt64) {
        write((0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }, at: offset)
    }
}

/// One structural edit of a sparse image, read from `input`.
func applySparseEdit(_ input: inout FuzzInput, to file: inout ExtentFile, _ layout: MappedRAMLayout) {
    let word = input.pick(extremeWords) ?? 0
    guard let block = input.pick(layout.blocks) else { return }
    let nearMisses: [UInt64] = [block.pagesOffset &- 4096, block.pagesOffset &+ 1, block.bitmapOffset &- 1,
                                layout.fileSize, layout.fileSize &- 1, layout.deviceStateOffset, layout.streamOffset,
                                block.size &* 2, block.size &- 4096, block.size / 2]
    let value = input.byte() & 1 == 0 ? word : (input.pick(nearMisses) ?? 0)
    let nameLength = UInt64(block.name.utf8.count)
    switch input.byte() % 10 {
    case 0: file.putWord(value, bytes: 8, at: block.entryOffset + 1 + nameLength)  // the block's size
    case 1: file.putWord(value, bytes: 4, at: block.headerOffset)  // MappedRamHeader.version
    case 2: file.putWord(input.pick([0, 1, 512, 4095, 4096, 8192, 1 << 21, 1 << 30, 1 << 31, word]) ?? 0,
                         bytes: 8, at: block.headerOffset + 4)  // page_size
    case 3: file.putWord(value, bytes: 8, at: block.headerOffset + 12)  // bitmap_offset
    case 4: file.putWord(value, bytes: 8, at: block.headerOffset + 20)  // pages_offset
    case 5:  // fill or clear a run of bitmap bytes
        let at = UInt64(input.choice(Int(clamping: max(1, block.bitmapSize))))
        let count = Int(input.byte()) + 1
        file.write([UInt8](repeating: input.byte() & 1 == 0 ? 0xff : 0, count: count), at: block.bitmapOffset &+ at)
    case 6:  // bits past the block's last page
        file.write([0xff], at: block.bitmapOffset &+ block.bitmapSize &- 1)
    case 7:  // the RAM size record
        file.putWord((value & ~0xfff) | (input.byte() & 1 == 0 ? 0x04 : UInt64(input.byte())), bytes: 8,
                     at: layout.ramSectionOffset + UInt64(layout.ramSectionHeader.count))
    case 8:  // cut the file at a landmark
        let cuts = [block.entryOffset, block.headerOffset + 10, block.bitmapOffset + 1, block.pagesOffset,
                    block.pagesOffset + 4097, layout.deviceStateOffset, layout.deviceStateOffset + 9,
                    layout.fileSize - 1]
        file.size = min(file.size, input.pick(cuts) ?? file.size)
    default:  // the capability name: "mapped-ram" renamed; or the header's format word
        if input.byte() & 1 == 0 {
            let prefix = try? file.read(at: layout.streamOffset, count: 256)
            if let prefix, let at = (0..<max(0, prefix.count - 10)).first(where: { Array(prefix[$0..<($0 + 10)]) == Array("mapped-ram".utf8) }) {
                file.write(Array("mapped-rom".utf8), at: layout.streamOffset + UInt64(at))
            }
        } else {
            file.putWord(UInt64(input.byte() % 8) << 24, bytes: 4, at: 28)  // format, little-endian word at 28
        }
    }
}

/// One input of the "sparse" harness.
func fuzzSparse(_ bytes: [UInt8]) {
    let (program, rest) = splitProgram(bytes)
    var file = ExtentFile(rest)
    if !program.isEmpty, let image = try? SaveImage(reading: file),
       let layout = try? MappedRAMLayout.read(file, streamOffset: image.streamOffset) {
        var input = FuzzInput(program)
        for _ in 0..<8 where !input.isAtEnd { applySparseEdit(&input, to: &file, layout) }
    }
    let image: SaveImage
    do throws(SaveImageError) { image = try SaveImage(reading: file) } catch {
        return invariant(error.offset.map { $0 <= file.size } ?? true, "reader error offset inside the file")
    }
    let layout: MappedRAMLayout
    do throws(SaveImageError) { layout = try MappedRAMLayout.read(file, streamOffset: image.streamOffset) } catch {
        note("layout refused: \(error)")
        return invariant(error.offset.map { $0 <= file.size } ?? true, "layout error offset inside the file")
    }
    var previousEnd = image.streamOffset
    for block in layout.blocks {
        invariant(block.pagesPresent <= block.pageCount, "pages present at most the pages")
        let (bytes, overflow) = block.pageCount.multipliedReportingOverflow(by: block.pageSize)
        invariant(!overflow && bytes == block.size, "the pages cover the block")
        invariant(block.entryOffset >= previousEnd, "blocks in file order")
        invariant(block.bitmapOffset &+ block.bitmapSize >= block.bitmapOffset
                  && block.bitmapOffset &+ block.bitmapSize <= file.size, "bitmap inside the file")
        invariant(block.pagesEnd >= block.pagesOffset && block.pagesEnd <= file.size, "pages inside the file")
        previousEnd = block.pagesEnd
    }
    invariant(layout.deviceStateOffset <= file.size, "device state inside the file")
    note("layout: \(layout.blocks.count) blocks, \(layout.pagesPresent) pages present")
    let walk: StreamWalk
    do throws(SaveImageError) { walk = try StreamWalk(source: image.stream, hashing: false, layout: layout) } catch {
        note("walk set-up failed: \(error)")
        return invariant(false, "walk set-up")
    }
    if let error = walk.sourceFailure {
        note("raw stream refused: \(error)")
        invariant(error.offset.map { $0 <= file.size } ?? true, "emit error offset inside the file")
    }
    note("walked \(walk.rawStreamBytes) bytes, EOF \(walk.summary.reachedEOF), "
         + (walk.failure.map { "failure: \($0)" } ?? "no failure"))
    if let failure = walk.failure, let offset = failure.offset {
        invariant(offset <= walk.rawStreamBytes, "walk failure offset inside the raw stream")
    }
}
#endif
