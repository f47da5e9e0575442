/// Turns a mapped-ram stream back into the sequential QEMU stream that
/// carries the same guest state (what QEMU writes without `mapped-ram`):
///
/// - the configuration section, with `mapped-ram` taken out of the
///   capabilities (or kept, for a deep check that reports what QEMU wrote);
/// - the RAM section's start and block list without the mapped-ram headers
///   (with each block's guest address under `x-ignore-shared`);
/// - every page of every block in address order, as QEMU's first pass
///   sends them: `RAM_SAVE_FLAG_PAGE` + 4 KiB for a page in the bitmap,
///   `RAM_SAVE_FLAG_ZERO` + 0 for a hole; the first record of a block names
///   it, the others carry `RAM_SAVE_FLAG_CONTINUE`; none for a block
///   skipped under `x-ignore-shared` (its pages are in shared memory);
/// - the file from the end of the last block's pages to its end, byte for
///   byte (the RAM section's EOS and footer, the other devices, QEMU_VM_EOF,
///   the VM description).
///
/// Memory: one batch of output (about 1 MiB) and one run of pages.
enum MappedRAMRawStream {
    static let pageFlag: UInt64 = 0x08, zeroFlag: UInt64 = 0x02, continueFlag: UInt64 = 0x20

    /// The configuration the raw stream carries.
    static func configuration(of layout: MappedRAMLayout, keepMappedRAM: Bool) -> StreamConfiguration {
        keepMappedRAM ? layout.configuration : layout.configuration.withCapability("mapped-ram", present: false)
    }

    /// Offset in the raw stream where the copied device state begins.
    ///
    /// The sum cannot overflow: `MappedRAMLayout.read` builds every layout,
    /// with at most 2^12 blocks of at most 2^31 pages each (its 256 MiB bitmap
    /// cap) and names of at most 255 bytes, so each block adds below 2^44
    /// (2^31 pages of at most 8 + 4096 bytes) and the whole stays below 2^57.
    static func deviceStateRawOffset(of layout: MappedRAMLayout, keepMappedRAM: Bool) -> UInt64 {
        let encoded = configuration(of: layout, keepMappedRAM: keepMappedRAM).encoded
        var offset = UInt64(8 + encoded.count + layout.ramSectionHeader.count + 8)  // bounded: sizes of in-memory arrays
        for block in layout.blocks {
            let name = UInt64(block.name.utf8.count)
            offset += 1 + name + 8  // bounded: below 2^57 in all (see above)
            if block.guestAddress != nil { offset += 8 }  // bounded: as above
            guard block.pageCount > 0, !block.isSkipped else { continue }
            offset += 1 + name  // bounded: as the line above; the first record names its block
            offset += block.pageCount * 8 + block.pagesPresent * 4096 + block.holes  // bounded: pageCount <= 2^31, pagesPresent + holes == pageCount
        }
        return offset
    }

    /// Emits the raw stream in batches of about 1 MiB to `output`, reading
    /// the pages from `file` (an open file, or bytes in memory).
    ///
    /// With `pages` false the page records are left out (the block list is
    /// followed by the device state): for a reader that takes the present
    /// pages from the file itself (memory export, in O(allocated)).
    static func emit(
        _ file: borrowing some PositionalReader & ~Copyable, layout: MappedRAMLayout, keepMappedRAM: Bool,
        pages: Bool = true, output: ([UInt8]) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        for block in layout.blocks where block.pageSize != 4096 {
            throw SaveImageError(.badStream, path: layout.path, offset: block.headerOffset + 4, field: "mapped-ram page_size",  // bounded: within the header read from the file
                                 expected: "4096 (the target page size of the x86 streams saveimg converts)",
                                 found: "\(block.pageSize)")
        }
        var batch: [UInt8] = []
        batch.reserveCapacity((1 << 20) + 8192)  // bounded: constants
        func flushIfFull() throws(SaveImageError) {
            if batch.count >= 1 << 20 {
                try output(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        batch.append(contentsOf: QEMUStreamPrelude.magic)
        batch.appendInteger(layout.streamVersion, .big)
        batch.append(contentsOf: configuration(of: layout, keepMappedRAM: keepMappedRAM).encoded)
        batch.append(contentsOf: layout.ramSectionHeader)
        batch.appendInteger(layout.totalRAM | MappedRAMLayout.memSizeFlag, .big)
        for block in layout.blocks {
            // The name is the UTF-8 its one length byte announced (readBlock refuses any other): at most 255 bytes.
            batch.append(UInt8(truncatingIfNeeded: block.name.utf8.count))
            batch.append(contentsOf: block.name.utf8)
            batch.appendInteger(block.size, .big)
            if let address = block.guestAddress { batch.appendInteger(address, .big) }  // x-ignore-shared
        }
        // Every block's page size is 4096 (checked above), and readBlock checked
        // pagesOffset + pageCount * 4096 (its size) against the file's size: the
        // offsets and addresses below are below that sum, a run below 1 MiB.
        let runPages: UInt64 = 256
        let pageBytes = 4096
        // A block skipped under x-ignore-shared sends no pages (as QEMU without mapped-ram).
        for block in layout.blocks where pages && !block.isSkipped {
            var page: UInt64 = 0
            while page < block.pageCount {
                // A run of up to 256 consecutive pages read in one go (holes read as zeros, cheaply).
                let count = min(runPages, block.pageCount - page)  // bounded: page < pageCount
                let runOffset = block.pagesOffset + page * block.pageSize  // bounded: below pagesOffset + size (see above)
                let runBytes = Int(count) * pageBytes  // bounded: at most 256 * 4096
                var present: [Bool] = []
                var anyPresent = false
                for index in page..<(page + count) {  // bounded: page + count <= pageCount
                    let bit = block.isPresent(index)
                    present.append(bit)
                    anyPresent = anyPresent || bit
                }
                let data = anyPresent ? try file.read(at: runOffset, count: runBytes) : []
                if anyPresent && data.count != runBytes {
                    throw SaveImageError(.io, path: layout.path, offset: runOffset + UInt64(data.count), field: "pages of '\(block.name)'",  // bounded: a short read inside the run
                                         expected: "\(runBytes) bytes of pages", found: "end of file (the file shrank)")
                }
                for (index, isPresent) in present.enumerated() {
                    let address = (page + UInt64(index)) * block.pageSize  // bounded: below the block's size (see above)
                    let first = page == 0 && index == 0
                    var word = address | (isPresent ? pageFlag : zeroFlag)
                    if !first { word |= continueFlag }
                    batch.appendInteger(word, .big)
                    if first {
                        batch.append(UInt8(truncatingIfNeeded: block.name.utf8.count))  // at most 255 (see above)
                        batch.append(contentsOf: block.name.utf8)
                    }
                    if isPresent {
                        let start = index * pageBytes  // bounded: index < 256
                        batch.append(contentsOf: data[start..<(start + pageBytes)])  // bounded: start + 4096 <= runBytes
                    } else {
                        batch.append(0)
                    }
                }
                try flushIfFull()
                page += count  // bounded: page + count <= pageCount
            }
        }
        if !batch.isEmpty { try output(batch) }
        try file.readChunks(from: layout.deviceStateOffset, chunkSize: 1 << 20) { (chunk, _) throws(SaveImageError) in
            try output(Array(chunk))
        }
    }
}
