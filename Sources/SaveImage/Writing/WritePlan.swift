/// Where an edit's bytes go: in place (only free bytes of the data region
/// and the header change), the data region rewritten in place under a
/// journal (the domain XML changes but fits in data_len), a rewrite with the
/// same data_len (the stream stays at its offset, in a new file: `--output`),
/// or a grow (a larger data region with libvirt's 64 KiB of new padding, in a
/// new file).
public struct WritePlan: Hashable, Sendable {
    public enum Strategy: String, Hashable, Sendable, Codable {
        /// Documents into free bytes of the region, then the header: crash-safe, O(1).
        case inPlace = "in-place"
        /// The whole data region rewritten in place, the header marked
        /// `LibvirtQemudPart` meanwhile, with an undo journal beside the image:
        /// crash-safe, O(data_len), the stream untouched.
        case inPlaceJournaled = "in-place-journaled"
        /// New file with the same data_len (another destination).
        case rewrite
        /// New file with a larger data region, renamed over the original.
        case grow
    }

    /// Bytes to write at an offset of the data region.
    public struct RegionWrite: Hashable, Sendable {
        public var offset: Int
        public var bytes: [UInt8]
    }

    public var strategy: Strategy
    /// The image as read.
    public var original: SaveImage
    /// The image as it will be (its `path` is the destination).
    public var result: SaveImage
    /// In place: the new documents, written into free bytes before the header.
    public var documentWrites: [RegionWrite] = []
    /// In place: zeros over the old chain, written after the header.
    public var cleanupWrites: [RegionWrite] = []

    /// Why a rewrite was needed, when it was.
    public var reason: String

    /// Plans writing `content` over `image`.
    ///
    /// - Parameters:
    ///   - image: the image as read.
    ///   - content: what it should hold.
    ///   - destination: the file to write (the image's own path, or `--output`).
    /// - Throws: `.tooLarge` when the documents exceed saveimg's region limit.
    public init(editing image: SaveImage, to content: ImageContent, destination: String) throws(SaveImageError) {
        original = image
        let sameFile = destination == image.path
        if sameFile, content.domainXML == image.region.domainXML.bytes,
           let placement = Self.placeInPlace(image, content) {
            strategy = .inPlace
            documentWrites = placement.writes
            cleanupWrites = placement.cleanup
            reason = "the domain XML is unchanged and the chain fits in free bytes of the data region"
            var bytes = image.region.serialized()
            for write in documentWrites + cleanupWrites {
                bytes.replaceSubrange(write.offset..<write.offset + write.bytes.count, with: write.bytes)
            }
            var header = image.header
            header.cookieOffset = placement.cookieOffset
            header.wasRunning = content.wasRunning
            result = try SaveImage(header: header, regionBytes: bytes, stream: image.stream,
                                   fileSize: image.fileSize, path: destination)
            return
        }
        let oldLength = Int(image.header.dataLength)
        let length: Int
        if content.usedLength <= oldLength {
            strategy = sameFile ? .inPlaceJournaled : .rewrite
            length = oldLength
            reason = !sameFile ? "writing to another file"
                : content.domainXML != image.region.domainXML.bytes
                ? "the domain XML changes and fits in data_len (libvirt reads it at offset 92, so the region is "
                    + "rewritten in place under a journal, the header marked incomplete meanwhile)"
                : "the chain does not fit in the free bytes beside the current one (the region is rewritten in "
                    + "place under a journal)"
        } else {
            strategy = .grow
            length = content.usedLength + Int(SaveImageHeader.standardPadding)
            reason = "the documents need \(content.usedLength) bytes, data_len is \(oldLength)"
        }
        guard length <= Int(SaveImage.maximumDataRegionSize) else {
            throw SaveImageError(.tooLarge, path: destination, field: "data_len",
                                 expected: "at most \(SaveImage.maximumDataRegionSize) bytes", found: "\(length) bytes")
        }
        var bytes = content.domainXML + [0] + content.chainBytes
        bytes += [UInt8](repeating: 0, count: length - bytes.count)
        var header = image.header
        header.dataLength = UInt32(length)
        header.cookieOffset = content.chain.isEmpty ? 0 : UInt32(content.domainXML.count + 1)
        header.wasRunning = content.wasRunning
        let fileSize = image.fileSize - UInt64(oldLength) + UInt64(length)
        result = try SaveImage(header: header, regionBytes: bytes, stream: image.stream,
                               fileSize: fileSize, path: destination)
    }

    /// Whether the plan changes nothing.
    public var isNoOp: Bool {
        strategy == .inPlace && documentWrites.isEmpty && cleanupWrites.isEmpty && original.header == result.header
    }

    struct Placement {
        var cookieOffset: UInt32
        var writes: [RegionWrite]
        var cleanup: [RegionWrite]
    }

    /// Finds free bytes for the new chain that the current header does not
    /// point to: first right after the domain XML's NUL (libvirt's layout),
    /// else after the current chain's terminating zero byte. The chain is
    /// always followed by a zero byte (unless it ends at data_len), so it
    /// never runs into stale documents.
    static func placeInPlace(_ image: SaveImage, _ content: ImageContent) -> Placement? {
        let region = image.region
        let length = Int(image.header.dataLength)
        let oldOffset = Int(image.header.cookieOffset)
        let oldChain = region.chain.map(\.bytes)
        if content.chain == oldChain {
            return Placement(cookieOffset: image.header.cookieOffset, writes: [], cleanup: [])
        }
        let blob = content.chainBytes
        let xmlEnd = region.domainXML.storedLength
        let oldChainEnd = region.chain.last.map { Int($0.regionOffset) + $0.storedLength } ?? oldOffset
        var start: Int?
        if oldOffset == 0 {
            if xmlEnd + blob.count <= length { start = xmlEnd }
        } else if xmlEnd + blob.count + 1 <= oldOffset {
            start = xmlEnd
        } else if oldChainEnd + 1 + blob.count <= length {
            start = oldChainEnd + 1
        }
        guard let start else { return nil }
        var writes: [RegionWrite] = []
        if !blob.isEmpty {
            writes.append(RegionWrite(offset: start, bytes: blob + (start + blob.count < length ? [0] : [])))
        }
        var cleanup: [RegionWrite] = []
        if oldOffset != 0, oldChainEnd > oldOffset {
            cleanup.append(RegionWrite(offset: oldOffset, bytes: [UInt8](repeating: 0, count: oldChainEnd - oldOffset)))
        }
        return Placement(cookieOffset: content.chain.isEmpty ? 0 : UInt32(start), writes: writes, cleanup: cleanup)
    }
}
