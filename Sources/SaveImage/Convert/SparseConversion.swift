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
        file: borrowing ImageFile, image: SaveImage, source: CompressionFormat, header: SaveImageHeader,
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
        _ file: borrowing ImageFile, layout: MappedRAMLayout, request: ConversionRequest, staged: ReplacementFile
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
        let cursor = try StreamCursor(hashing: false, next: { pipe.receive() })
        let writer = MappedRAMWriter(staged: staged, streamOffset: streamOffset)
        cursor.tap = { (bytes) throws(SaveImageError) in try writer.tap(bytes) }
        let inputStream = image.streamOffset
        DispatchQueue.global().async {
            if let layout {
                pipe.close(failure: DeepCheck.produceSparse(path: path, layout: layout, into: pipe))
            } else {
                pipe.close(failure: DeepCheck.produce(path: path, format: source, from: inputStream, into: pipe))
            }
        }
        var walker = MigrationStreamWalker(cursor: cursor, observer: writer)
        do throws(SaveImageError) {
            try walker.walk()
            _ = try cursor.consumeRest()
            if let failure = pipe.failure { throw failure }
            let length = try writer.finish()
            return (cursor.offset, length)
        } catch {
            cursor.tap = nil
            _ = cursor.drain()  // lets the producer finish
            if let failure = pipe.failure { throw failure }
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

extension CodecBuffer {
    /// `bytes` as a raw buffer, with a typed throw.
    static func withBytes(of bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        try StreamCursor.withBytes(of: bytes, 0..<bytes.count, body)
    }
}
