import CSaveImageShims

/// A raw-deflate state of Intel's ISA-L (igzip) for the parallel gzip
/// encoder's blocks: the level ISA-L maps to (1-3), the previous 32 KiB as
/// dictionary, and each block but the last ending with a sync flush (an
/// empty stored block: byte-aligned), so the blocks' outputs concatenate
/// into one deflate stream that any inflater (`gzip -dc`) reads. ISA-L is
/// reached through `CSaveImageShims` (libisal.so.2 loaded on first use).
final class IsalBlockDeflater: BlockDeflater, @unchecked Sendable {
    private let deflater: UnsafeMutableRawPointer

    init(level: Int32) throws(SaveImageError) {
        try Self.load()
        guard (1...3).contains(level), let deflater = saveimg_isal_deflater_new(level) else {
            throw .codec("gzip", consumed: 0, expected: "an ISA-L compressor at level 1-3",
                         found: "level \(level) could not be set up (out of memory?)")
        }
        self.deflater = deflater
    }

    deinit { saveimg_isal_deflater_free(deflater) }

    /// Loads libisal.so.2, or throws naming the package.
    static func load() throws(SaveImageError) {
        if let error = saveimg_isal_load() {
            throw .codec("gzip", consumed: 0, expected: "Intel ISA-L (libisal.so.2; Debian: libisal2)",
                         found: String(cString: error))
        }
    }

    /// Input plus stored-block overhead (5 bytes per 64 KiB) with a wide margin.
    func outputBound(blockSize: Int) -> Int { blockSize + blockSize / 8 + 4096 }

    func compress(_ block: DeflateBlock) {
        let payload = block.payload
        let input = payload.baseAddress?.assumingMemoryBound(to: UInt8.self)
        block.crc = UInt(saveimg_isal_crc32(0, input, UInt64(payload.count)))
        var produced: UInt32 = 0
        let status = saveimg_isal_deflate_block(
            deflater, block.input.base.assumingMemoryBound(to: UInt8.self), UInt32(block.dictionaryLength),
            input, UInt32(payload.count), block.output.base.assumingMemoryBound(to: UInt8.self),
            UInt32(block.output.count), block.last ? 1 : 0, &produced)
        if status != 0 {
            block.failure = status == 1 ? "isal_deflate stopped before the end of the block (output too small)"
                : "isal_deflate returned \(status)"
        }
        block.produced = Int(produced)
    }
}
