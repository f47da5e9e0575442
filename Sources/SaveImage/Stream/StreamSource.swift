import Synchronization

/// The one way saveimg reads a save image's migration stream: bytes from the
/// image's own reader (an open file or memory), at the stream's offset, in
/// the image's format. Everything that looks at the stream takes it from
/// here: the prelude and the verifier's RAM block list (``prefix``), the
/// deep check, convert and sparse conversion (``read(decoding:keepMappedRAM:layout:progress:_:)``).
///
/// A source is a reference: an image and the images planned from it by an
/// edit share one source, which reads where the stream really is.
public final class StreamSource: Sendable {
    /// The reader the image was read from.
    public let reader: any PositionalReader & Sendable
    /// Where the stream starts in the reader.
    public let offset: UInt64
    /// The stream's length in the reader (0 when the file ends at or before the offset).
    public let length: UInt64
    /// The format libvirt applies to the stream (the header's, from version 2; raw before).
    public let format: CompressionFormat
    /// The stream's first file bytes, undecoded (at most ``headLength``): its signature.
    public let head: [UInt8]

    /// How many undecoded bytes ``head`` holds at most.
    public static let headLength = 4096
    /// How many decoded bytes ``prefix`` holds at most: the prelude and the
    /// RAM block list of every stream the labs wrote fit in the first 64 KiB.
    public static let prefixLength = 64 * 1024  // bounded: constant

    private let decodedPrefix = Mutex<[UInt8]??>(nil)

    /// The path shown in errors.
    public var path: String { reader.path }

    /// A source over `length` bytes of `reader` from `offset`; reads the head.
    public init(
        reader: any PositionalReader & Sendable, offset: UInt64, length: UInt64, format: CompressionFormat
    ) throws(SaveImageError) {
        self.reader = reader
        self.offset = offset
        self.length = length
        self.format = format
        head = length > 0 ? try reader.read(at: offset, count: Int(min(UInt64(Self.headLength), length))) : []  // bounded: at most headLength
    }

    /// A source holding only `head`: an image built from bytes in memory
    /// whose stream is not at hand (tests, fuzzers, planned edits).
    public convenience init(head: [UInt8], format: CompressionFormat, path: String = "") throws(SaveImageError) {
        try self.init(reader: InMemoryFile(head, path: path), offset: 0, length: UInt64(head.count), format: format)
    }

    /// What the stream's first bytes say it is.
    public var signature: StreamSignature { StreamSignature(prefix: head) }

    /// The stream's first decoded bytes (at most ``prefixLength``): read and,
    /// for a compressed stream, decoded once, from a bounded start
    /// (``StreamFormat/prefixInputLength``), whatever the stream's size. nil
    /// when nothing decodes (lzop needs its program; damaged data; no stream).
    public var prefix: [UInt8]? {
        if let cached = decodedPrefix.withLock({ $0 }) { return cached }
        let decoded = decodePrefix()
        decodedPrefix.withLock { $0 = .some(decoded) }
        return decoded
    }

    private func decodePrefix() -> [UInt8]? {
        guard length > 0 else { return nil }
        let limit = Self.prefixLength
        if format == .raw || format == .sparse {
            if UInt64(head.count) >= min(UInt64(limit), length) { return head }
            return try? reader.read(at: offset, count: Int(min(UInt64(limit), length)))  // bounded: at most prefixLength
        }
        guard let inputLength = StreamFormat.named(format)?.prefixInputLength,
              let compressed = try? reader.read(at: offset, count: Int(min(UInt64(inputLength), length))),  // bounded: at most 1 MiB
              let decoder = try? StreamFormat.decoder(for: format)
        else { return nil }
        var produced: [UInt8] = []
        // Stops the decoder once enough came out; errors past the first output are expected (the input is cut short).
        let enough = SaveImageError(.badStream, path: "", field: "prefix", expected: "", found: "")
        compressed.withUnsafeBytes { raw in
            try? decoder.process(raw) { (chunk) throws(SaveImageError) in
                produced += chunk.prefix(limit - produced.count)  // bounded: produced.count < limit (stopped at limit)
                if produced.count >= limit { throw enough }
            }
        }
        return produced.isEmpty ? nil : produced
    }

    /// The QEMU stream prelude (version, machine type) from the decoded prefix.
    public var prelude: QEMUStreamPrelude? { prefix.flatMap(QEMUStreamPrelude.init(prefix:)) }

    /// Reads the whole stream, handing `body` chunks in order:
    ///
    /// - `decoding` false: the stream's bytes as stored (a copy);
    /// - `decoding` true: the raw QEMU stream, decompressed, or for a sparse
    ///   image its sequential equivalent (``MappedRAMRawStream``: pages in
    ///   address order, `mapped-ram` kept in the configuration when
    ///   `keepMappedRAM`, as the deep check reports what QEMU wrote).
    ///
    /// `pages` false leaves a sparse image's page records out (``MappedRAMRawStream/emit(_:layout:keepMappedRAM:pages:output:)``).
    /// `layout`, when the caller already read it, spares reading it again.
    /// `progress` is told the stored bytes read so far and the stream's length.
    /// Errors name the file; offsets in the stored stream are file offsets.
    public func read(
        decoding: Bool, keepMappedRAM: Bool = true, pages: Bool = true, layout: MappedRAMLayout? = nil,
        progress: ((UInt64, UInt64) -> Void)? = nil,
        _ body: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        if decoding && format == .sparse {
            do throws(SaveImageError) {
                let blocks: MappedRAMLayout
                if let layout { blocks = layout } else { blocks = try mappedRAMLayout() }
                try MappedRAMRawStream.emit(reader, layout: blocks, keepMappedRAM: keepMappedRAM, pages: pages) { (batch) throws(SaveImageError) in
                    try StreamCursor.withBytes(of: batch, 0..<batch.count, body)
                }
            } catch { throw error.locating(path, base: nil) }
            return
        }
        let decoder: any StreamTransform = decoding ? try StreamFormat.decoder(for: format) : PassthroughTransform()
        let end = offset + length  // bounded: offset + length is the reader's size
        try reader.readChunks(from: offset, chunkSize: 1 << 20) { (chunk, position) throws(SaveImageError) in
            guard position < end else { return }
            do throws(SaveImageError) { try decoder.process(chunk, output: body) } catch { throw error.locating(path, base: offset) }
            progress?(position - offset + UInt64(chunk.count), length)  // bounded: position >= offset, within the reader
        }
        do throws(SaveImageError) { try decoder.finish(output: body) } catch { throw error.locating(path, base: offset) }
    }

    /// The mapped-ram layout of a sparse stream (metadata and bitmaps, never the pages).
    public func mappedRAMLayout() throws(SaveImageError) -> MappedRAMLayout {
        try MappedRAMLayout.read(reader, streamOffset: offset)
    }
}

extension StreamSource: Hashable {
    /// Two sources are equal when they describe the same stream bytes' place
    /// and start (the reader's identity is not compared).
    public static func == (a: StreamSource, b: StreamSource) -> Bool {
        a.path == b.path && a.offset == b.offset && a.length == b.length && a.format == b.format && a.head == b.head
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(offset)
        hasher.combine(length)
        hasher.combine(format)
    }
}

extension SaveImageError {
    /// Fills in the path of a codec error and turns its stream-relative
    /// offset into a file offset (`base` nil: the offset is not in this file).
    func locating(_ path: String, base: UInt64?) -> SaveImageError {
        guard self.path.isEmpty else { return self }
        var located = self
        located.path = path
        if code == .badStream, let offset = located.offset {
            located.offset = base.map { $0 + offset }  // bounded: a stream offset in a file plus bytes consumed from it, both below the file size
        }
        return located
    }
}
