/// Turns a mapped-ram stream back into the sequential QEMU stream that
/// carries the same guest state (what QEMU writes without `mapped-ram`):
///
/// - the configuration section, with `mapped-ram` taken out of the
///   capabilities (or kept, for a deep check that reports what QEMU wrote);
/// - the RAM section's start and block list without the mapped-ram headers;
/// - every page of every block in address order, as QEMU's first pass
///   sends them: `RAM_SAVE_FLAG_PAGE` + 4 KiB for a page in the bitmap,
///   `RAM_SAVE_FLAG_ZERO` + 0 for a hole; the first record of a block names
///   it, the others carry `RAM_SAVE_FLAG_CONTINUE`;
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
    static func deviceStateRawOffset(of layout: MappedRAMLayout, keepMappedRAM: Bool) -> UInt64 {
        var offset = UInt64(8 + configuration(of: layout, keepMappedRAM: keepMappedRAM).encoded.count
                            + layout.ramSectionHeader.count + 8)
        for block in layout.blocks {
            let name = UInt64(block.name.utf8.count)
            offset += 1 + name + 8
            guard block.pageCount > 0 else { continue }
            offset += 1 + name  // the first record names its block
            offset += block.pageCount * 8 + block.pagesPresent * 4096 + block.holes
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
            throw SaveImageError(.badStream, path: layout.path, offset: block.headerOffset + 4, field: "mapped-ram page_size",
                                 expected: "4096 (the target page size of the x86 streams saveimg converts)",
                                 found: "\(block.pageSize)")
        }
        var batch: [UInt8] = []
        batch.reserveCapacity((1 << 20) + 8192)
        func flushIfFull() throws(SaveImageError) {
            if batch.count >= 1 << 20 {
                try output(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        batch += QEMUStreamPrelude.magic
        batch.appendInteger(layout.streamVersion, .big)
        batch += configuration(of: layout, keepMappedRAM: keepMappedRAM).encoded
        batch += layout.ramSectionHeader
        batch.appendInteger(layout.totalRAM | MappedRAMLayout.memSizeFlag, .big)
        for block in layout.blocks {
            batch.append(UInt8(block.name.utf8.count))
            batch += Array(block.name.utf8)
            batch.appendInteger(block.size, .big)
        }
        let runPages: UInt64 = 256
        for block in layout.blocks where pages {
            var page: UInt64 = 0
            while page < block.pageCount {
                // A run of up to 256 consecutive pages read in one go (holes read as zeros, cheaply).
                let count = min(runPages, block.pageCount - page)
                let runOffset = block.pagesOffset + page * block.pageSize
                var present: [Bool] = []
                var anyPresent = false
                for index in page..<(page + count) {
                    let bit = block.isPresent(index)
                    present.append(bit)
                    anyPresent = anyPresent || bit
                }
                let data = anyPresent ? try file.read(at: runOffset, count: Int(count * block.pageSize)) : []
                if anyPresent && UInt64(data.count) != count * block.pageSize {
                    throw SaveImageError(.io, path: layout.path, offset: runOffset + UInt64(data.count), field: "pages of '\(block.name)'",
                                         expected: "\(count * block.pageSize) bytes of pages", found: "end of file (the file shrank)")
                }
                for (index, isPresent) in present.enumerated() {
                    let address = (page + UInt64(index)) * block.pageSize
                    let first = page == 0 && index == 0
                    var word = address | (isPresent ? pageFlag : zeroFlag)
                    if !first { word |= continueFlag }
                    batch.appendInteger(word, .big)
                    if first {
                        batch.append(UInt8(block.name.utf8.count))
                        batch += Array(block.name.utf8)
                    }
                    if isPresent {
                        let start = index * Int(block.pageSize)
                        batch += data[start..<(start + Int(block.pageSize))]
                    } else {
                        batch.append(0)
                    }
                }
                try flushIfFull()
                page += count
            }
        }
        if !batch.isEmpty { try output(batch) }
        try file.readChunks(from: layout.deviceStateOffset, chunkSize: 1 << 20) { (chunk, _) throws(SaveImageError) in
            try output(Array(chunk))
        }
    }
}
