#if canImport(Glibc)
import Glibc
#endif
import CSaveImageShims

/// A sparse (mapped-ram) image read in time proportional to what it holds:
/// each block's present pages (its bitmap's runs) are copied straight from
/// the image into the ``RAMBlockStore`` (`copy_file_range`), and the walker
/// is given a stream without page records: the prelude, the RAM section's
/// block list, then the image's device state byte for byte (from the RAM
/// section's EOS on), as ``MappedRAMRawStream`` emits it minus the pages.
enum SparseRAMCopy {
    /// Copies the present pages of every block of `layout` from `image` into `store`.
    static func copyPages(_ image: any PositionalReader, layout: MappedRAMLayout, into store: RAMBlockStore) throws(SaveImageError) {
        try store.flush()
        for (index, block) in layout.blocks.enumerated() {
            guard block.pageSize == 4096 else {
                throw SaveImageError(.badStream, path: layout.path, offset: block.headerOffset + 4, field: "mapped-ram page_size",  // bounded: an offset inside the file
                                     expected: "4096", found: "\(block.pageSize)")
            }
            var page: UInt64 = 0
            while page < block.pageCount {
                // Skip whole zero bytes of the bitmap (8 absent pages) at once.
                let byte = Int(page / 8)  // bounded: page < pageCount, the bitmap holds pageCount bits
                if page % 8 == 0, byte < block.bitmap.count, block.bitmap[byte] == 0 {
                    page += 8  // bounded: page < pageCount < 2^52
                    continue
                }
                guard block.isPresent(page) else { page += 1; continue }  // bounded: page < pageCount
                var end = page + 1  // bounded: page < pageCount
                while end < block.pageCount, block.isPresent(end) { end += 1 }  // bounded: end < pageCount
                let source = try Checked.add(block.pagesOffset, page * 4096, source(block.name))  // bounded: page < pageCount = size / 4096
                try store.copyIn(from: image, at: source, block: index, address: page * 4096, count: (end - page) * 4096)  // bounded: pages of the block
                page = end
            }
        }
    }


    static func bigEndian32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }  // bounded: constants

    private static func source(_ field: String) -> Checked.Source { Checked.Source(path: "", field: "mapped-ram pages of " + field) }
}

extension RAMBlockStore {
    /// Copies `count` bytes at `offset` of `image` to block `block` at `address` (in the kernel where it can).
    func copyIn(from image: any PositionalReader, at offset: UInt64, block: Int, address: UInt64, count: UInt64) throws(SaveImageError) {
        var input = Int64(truncatingIfNeeded: offset)
        var output = Int64(truncatingIfNeeded: offsets[block] + address)  // bounded: address < block size
        var left = count
        while left > 0 {
            let chunk = Int(min(left, 1 << 30))  // bounded: at most 1 GiB
            // copy_file_range from an open file; an image read from memory goes through the buffer below.
            let copied = (image as? PositionalFile).map { saveimg_copy_file_range($0.fd, &input, file.fd, &output, chunk, 0) } ?? 0
            if copied > 0 {
                left -= UInt64(copied)  // bounded: copied <= left
                continue
            }
            // No copy_file_range (or the file ended): through a buffer.
            let bytes = try image.read(at: UInt64(input), count: Int(min(left, 1 << 20)))  // bounded: at most 1 MiB
            guard !bytes.isEmpty else {
                throw SaveImageError(.io, path: image.path, offset: UInt64(input), field: "mapped-ram pages",
                                     expected: "\(left) more bytes", found: "end of file (the file shrank)")
            }
            try file.write(bytes, at: UInt64(output))
            input += Int64(bytes.count)  // bounded: in-file offsets
            output += Int64(bytes.count)  // bounded: in-file offsets
            left -= UInt64(bytes.count)  // bounded: bytes.count <= left
        }
        addData(count)
    }
}
