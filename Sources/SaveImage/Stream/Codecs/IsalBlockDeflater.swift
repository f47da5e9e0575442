import CIsal

/// A raw-deflate state of Intel's ISA-L (igzip) for the parallel gzip
/// encoder's blocks: the level ISA-L maps to (1-3), the previous 32 KiB as
/// dictionary, and each block but the last ending with a sync flush (an
/// empty stored block: byte-aligned), so the blocks' outputs concatenate
/// into one deflate stream that any inflater (`gzip -dc`) reads.
final class IsalBlockDeflater: BlockDeflater, @unchecked Sendable {
    private let stream: UnsafeMutablePointer<isal_zstream>
    private let levelBuffer: UnsafeMutableRawBufferPointer
    private let level: UInt32

    init(level: Int32) throws(SaveImageError) {
        let size = Int(saveimg_isal_level_buffer_size(level))
        guard (1...3).contains(level), size > 0 else {
            throw .codec("gzip", consumed: 0, expected: "an ISA-L level 1-3", found: "level \(level)")
        }
        self.level = UInt32(level)
        levelBuffer = .allocate(byteCount: size, alignment: 64)
        stream = .allocate(capacity: 1)
        stream.initialize(to: isal_zstream())
        isal_deflate_init(stream)
    }

    deinit {
        stream.deallocate()
        levelBuffer.deallocate()
    }

    /// Input plus stored-block overhead (5 bytes per 64 KiB) with a wide margin.
    func outputBound(blockSize: Int) -> Int { blockSize + blockSize / 8 + 4096 }

    func compress(_ block: DeflateBlock) {
        let payload = block.payload
        block.crc = UInt(crc32_gzip_refl(0, payload.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(payload.count)))
        isal_deflate_reset(stream)
        stream.pointee.level = level
        stream.pointee.level_buf = levelBuffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
        stream.pointee.level_buf_size = UInt32(levelBuffer.count)
        stream.pointee.gzip_flag = UInt16(IGZIP_DEFLATE)
        stream.pointee.flush = UInt16(block.last ? NO_FLUSH : SYNC_FLUSH)
        stream.pointee.end_of_stream = block.last ? 1 : 0
        if block.dictionaryLength > 0 {
            let status = isal_deflate_set_dict(stream, block.input.base.assumingMemoryBound(to: UInt8.self),
                                               UInt32(block.dictionaryLength))
            if status != COMP_OK {
                block.failure = "isal_deflate_set_dict returned \(status)"
                return
            }
        }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: payload.baseAddress?.assumingMemoryBound(to: UInt8.self))
        stream.pointee.avail_in = UInt32(payload.count)
        stream.pointee.next_out = block.output.base.assumingMemoryBound(to: UInt8.self)
        stream.pointee.avail_out = UInt32(block.output.count)
        let status = isal_deflate(stream)
        let state = saveimg_isal_deflate_state(stream)
        let complete = block.last ? state == Int32(ZSTATE_END.rawValue) : state == Int32(ZSTATE_NEW_HDR.rawValue)
        if status != COMP_OK || stream.pointee.avail_in != 0 || !complete {
            block.failure = "isal_deflate returned \(status) in state \(state) with \(stream.pointee.avail_in) "
                + "input bytes left and \(stream.pointee.avail_out) output bytes free"
        }
        block.produced = block.output.count - Int(stream.pointee.avail_out)
    }
}
