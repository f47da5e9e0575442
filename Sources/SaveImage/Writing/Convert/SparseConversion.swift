import Dispatch

/// `saveimg convert` into and out of the sparse format (QEMU mapped-ram).
///
/// - Out of sparse: ``MappedRAMRawStream`` turns the file into the
///   sequential stream (pages in address order, holes as zero pages,
///   `mapped-ram` taken out of the capabilities) and the target's encoder
///   writes it, as any other conversion.
/// - Into sparse: the source is decoded on a second thread into a
///   ``ChunkPipe``; ``MigrationStreamWalker`` walks it with a
///   ``MappedRAMWriter`` observing, which copies the non-RAM bytes and
///   places the pages (zero pages left as holes). A sparse source is first
///   turned into its sequential stream, so sparse -> sparse re-lays it.
///
/// Both write a ``ReplacementFile``: a failure, Ctrl-C or ENOSPC leaves the
/// input untouched and no partial output.
enum SparseConversion {
    static func convert(
        file: PositionalFile, image: SaveImage, source: CompressionFormat, header: SaveImageHeader,
        regionBytes: [UInt8], ownership: (mode: UInt32, owner: UInt32, group: UInt32),
        input: String, output: String, request: ConversionRequest
    ) throws(SaveImageError) -> ConversionSummary {
        let layout = source == .sparse ? try MappedRAMLayout.read(file, streamOffset: image.streamOffset) : nil
        let staged = try ReplacementFile(replacing: output, label: "saveimg-convert", removeOnSignal: true)
        try SaveImageConverter.append(header.serialized(), to: staged)
        try SaveImageConverter.append(regionBytes, to: staged)
        let rawBytes: UInt64
        let written: UInt64
        if request.format == .sparse {
            (rawBytes, written) = try intoSparse(path: input, image: image, source: source, layout: layout,
                                                 staged: staged, streamOffset: header.streamOffset)
        } else if let layout {
            rawBytes = try outOfSparse(file, layout: layout, request: request, staged: staged)
            written = staged.length
        } else {
            throw SaveImageError(.badStream, path: input, field: "format", expected: "sparse on one side", found: "\(source) -> \(request.format)")
        }
        try staged.commit(mode: ownership.mode, owner: ownership.owner, group: ownership.group)
        return ConversionSummary(
            input: input, output: output, fromFormat: source.description, toFormat: request.format.description,
            streamCopied: false, inputBytes: file.size, outputBytes: written, rawStreamBytes: rawBytes,
            outputStreamBytes: written - header.streamOffset)
    }

    /// Sparse -> raw or a compressed format; returns the raw stream's size.
    static func outOfSparse(
        _ file: PositionalFile, layout: MappedRAMLayout, request: ConversionRequest, staged: ReplacementFile
    ) throws(SaveImageError) -> UInt64 {
        let encoder = try StreamCodec.encoder(for: request.format, options: request.options)
        var rawBytes: UInt64 = 0
        let write: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void = { (bytes) throws(SaveImageError) in
            try staged.append(bytes)
        }
        let path = file.path
        try MappedRAMRawStream.emit(file, layout: layout, keepMappedRAM: false) { (batch) throws(SaveImageError) in
            rawBytes += UInt64(batch.count)
            try CodecBuffer.withBytes(of: batch) { (raw) throws(SaveImageError) in
                do throws(SaveImageError) { try encoder.process(raw, output: write) } catch { throw error.locating(path, base: nil) }
            }
        }
        do throws(SaveImageError) { try encoder.finish(output: write) } catch { throw error.locating(path, base: nil) }
        return rawBytes
    }

    /// Any format -> sparse; returns the raw stream's size and the output's length.
    static func intoSparse(
        path: String, image: SaveImage, source: CompressionFormat, layout: MappedRAMLayout?,
        staged: ReplacementFile, streamOffset: UInt64
    ) throws(SaveImageError) -> (UInt64, UInt64) {
        let pipe = ChunkPipe(capacity: 8)
        let inputStream = image.streamOffset
        let cursor: StreamCursor
        var reader: SequentialFileReader?
        if source == .raw {
            // Nothing to decode: read the file on this thread (no hand-off between threads).
            let direct = try SequentialFileReader(path: path, from: inputStream)
            reader = direct
            cursor = try StreamCursor(hashing: false, next: { direct.next() })
        } else {
            cursor = try StreamCursor(hashing: false, next: { pipe.receive() })
            DispatchQueue.global().async {
                if let layout {
                    pipe.close(failure: DeepCheck.produceSparse(path: path, layout: layout, into: pipe))
                } else {
                    pipe.close(failure: DeepCheck.produce(path: path, format: source, from: inputStream, into: pipe))
                }
            }
        }
        let writer = MappedRAMWriter(staged: staged, streamOffset: streamOffset)
        cursor.tap = { (bytes) throws(SaveImageError) in try writer.tap(bytes) }
        var walker = MigrationStreamWalker(cursor: cursor, observer: writer)
        do throws(SaveImageError) {
            try walker.walk()
            _ = try cursor.consumeRest()
            if let failure = reader?.failure ?? (reader == nil ? pipe.failure : nil) { throw failure }
            let length = try writer.finish()
            return (cursor.offset, length)
        } catch {
            cursor.tap = nil
            _ = cursor.drain()  // lets the producer finish
            if let failure = reader?.failure ?? (reader == nil ? pipe.failure : nil) { throw failure }
            var located = error
            if located.path.isEmpty {
                located.path = path
                if let offset = located.offset {
                    located.found += " (raw stream offset \(offset))"
                    located.offset = source == .raw ? inputStream + offset : nil
                }
            }
            throw located
        }
    }
}

/// Reads a file from an offset to its end in 1 MiB chunks, for a
/// ``StreamCursor`` on the same thread; a read error ends the chunks and is kept in ``failure``.
final class SequentialFileReader {
    private let file: PositionalFile
    private var position: UInt64
    private(set) var failure: SaveImageError?

    init(path: String, from offset: UInt64) throws(SaveImageError) {
        file = try PositionalFile(openingForReading: path)
        position = offset
    }

    func next() -> [UInt8]? {
        guard failure == nil, position < file.size else { return nil }
        do throws(SaveImageError) {
            let chunk = try file.read(at: position, count: 1 << 20)
            if chunk.isEmpty { return nil }
            position += UInt64(chunk.count)
            return chunk
        } catch {
            failure = error
            return nil
        }
    }
}

extension CodecBuffer {
    /// `bytes` as a raw buffer, with a typed throw.
    static func withBytes(of bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        try StreamCursor.withBytes(of: bytes, 0..<bytes.count, body)
    }
}
