/// What `saveimg verify` learns about the migration stream without reading
/// it all: the RAM block list from the stream's first bytes, and for raw and
/// sparse streams whether the file ends as a complete QEMU stream does
/// (``StreamSource/tail()``, called directly). Both read a bounded number of
/// bytes, whatever the image's size.
enum StreamEvidence {
    /// The RAM blocks the stream declares (`ram` section, RAM_SAVE_FLAG_MEM_SIZE),
    /// as far as the stream's first decoded bytes reach (``StreamSource/prefix``,
    /// 64 KiB); nil when the prefix cannot be decoded (lzop) or holds no block list.
    static func ramBlocks(of image: SaveImage) -> [MigrationStreamSummary.RAMBlock]? {
        guard let prefix = image.stream.prefix,
              let walk = try? StreamWalk(rawStream: prefix, hashing: false)  // the prefix ends mid-stream: a failure is expected
        else { return nil }
        let blocks = walk.summary.ramBlocks
        return blocks.isEmpty ? nil : blocks
    }
}
