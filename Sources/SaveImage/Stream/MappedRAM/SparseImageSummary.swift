/// What `inspect` and `check --deep` report about a sparse (mapped-ram)
/// image: each RAM block's place in the file, where the device state
/// starts, and the file's apparent vs allocated size. Built from
/// ``MappedRAMLayout`` (metadata and bitmaps only).
public struct SparseImageSummary: Hashable, Sendable, Codable {
    public struct Block: Hashable, Sendable, Codable {
        public var name: String
        public var size: UInt64
        public var pageSize: UInt64
        public var pages: UInt64
        public var pagesPresent: UInt64
        public var holes: UInt64
        public var headerOffset: UInt64
        public var bitmapOffset: UInt64
        public var pagesOffset: UInt64
        /// The block's guest physical address (streams with `x-ignore-shared` only).
        public var guestAddress: UInt64?
        /// True for a block skipped under `x-ignore-shared` (its pages are in
        /// shared memory, not in the image); nil without `x-ignore-shared`.
        public var skipped: Bool?
    }

    public var capabilities: [String]
    public var blocks: [Block]
    public var pagesPresent: UInt64
    public var holes: UInt64
    /// File offset of the device state (just past the last block's pages).
    public var deviceStateOffset: UInt64
    /// The file's size (`st_size`).
    public var apparentBytes: UInt64
    /// Disk space used (`st_blocks * 512`), when known.
    public var allocatedBytes: UInt64?

    /// Encoded keys: the file's size is `file_size`, as everywhere in saveimg's JSON.
    private enum CodingKeys: String, CodingKey {
        case capabilities, blocks, pagesPresent, holes, deviceStateOffset, apparentBytes = "fileSize", allocatedBytes
    }

    public init(_ layout: MappedRAMLayout) {
        capabilities = layout.configuration.capabilities
        blocks = layout.blocks.map {
            Block(name: $0.name, size: $0.size, pageSize: $0.pageSize, pages: $0.pageCount, pagesPresent: $0.pagesPresent,
                  holes: $0.holes, headerOffset: $0.headerOffset, bitmapOffset: $0.bitmapOffset, pagesOffset: $0.pagesOffset,
                  guestAddress: $0.guestAddress, skipped: $0.guestAddress == nil ? nil : $0.isSkipped)
        }
        pagesPresent = layout.pagesPresent
        holes = layout.holes
        deviceStateOffset = layout.deviceStateOffset
        apparentBytes = layout.fileSize
        allocatedBytes = FileStatus(following: layout.path)?.allocatedBytes
    }
}
