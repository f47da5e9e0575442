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
        image: SaveImage, source: CompressionFormat, header: SaveImageHeader,
        regionBytes: [UInt8], ownership: (mode: UInt32, owner: UInt32, group: UInt32),
        input: String, output: String, request: ConversionRequest
    ) throws(SaveImageError) -> ConversionSummary {
        let layout = source == .sparse ? try image.stream.mappedRAMLayout() : nil
        let staged = try ReplacementFile(replacing: output, label: "saveimg-convert", removeOnSignal: true)
        try SaveImageConverter.append(header.serialized(), to: staged)
        try SaveImageConverter.append(regionBytes, to: staged)
        let rawBytes: UInt64
        let written: UInt64
        if request.format == .sparse {
            (rawBytes, written) = try intoSparse(image.stream, layout: layout, staged: staged, streamOffset: header.streamOffset)
        } else if let layout {
            rawBytes = try outOfSparse(image.stream, layout: layout, request: request, staged: staged)
            written = staged.length
        } else {
            throw SaveImageError(.badStream, path: input, field: "format", expected: "sparse on one side", found: "\(source) -> \(request.format)")
        }
        try staged.commit(mode: ownership.mode, owner: ownership.owner, group: ownership.group)
        return ConversionSummary(
            input: input, output: output, fromFormat: source.description, toFormat: request.format.description,
            streamCopied: false, inputBytes: image.fileSize, outputBytes: written, rawStreamBytes: rawBytes,
            outputStreamBytes: written - header.streamOffset)
    }

    /// Sparse -> raw or a compressed format; returns the raw stream's size.
    static func outOfSparse(
        _ stream: StreamSource, layout: MappedRAMLayout, request: ConversionRequest, staged: ReplacementFile
    ) throws(SaveImageError) -> UInt64 {
        let encoder = try StreamFormat.encoder(for: request.format, options: request.options)
        var rawBytes: UInt64 = 0
        let write: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void = { (bytes) throws(SaveImageError) in
            try staged.append(bytes)
        }
        let path = stream.path
        try stream.read(decoding: true, keepMappedRAM: false, layout: layout) { (raw) throws(SaveImageError) in
            rawBytes += UInt64(raw.count)  // bounded: bytes decoded from one file, < 2^63
            do throws(SaveImageError) { try encoder.process(raw, output: write) } catch { throw error.locating(path, base: nil) }
        }
        do throws(SaveImageError) { try encoder.finish(output: write) } catch { throw error.locating(path, base: nil) }
        return rawBytes
    }

    /// Any format -> sparse: the walk of the decoded stream with a
    /// ``MappedRAMWriter`` observing; returns the raw stream's size and the output's length.
    static func intoSparse(
        _ stream: StreamSource, layout: MappedRAMLayout?, staged: ReplacementFile, streamOffset: UInt64
    ) throws(SaveImageError) -> (UInt64, UInt64) {
        let writer = MappedRAMWriter(staged: staged, streamOffset: streamOffset)
        let walk = try StreamWalk(source: stream, hashing: false, observer: writer,
                                  tap: { (bytes) throws(SaveImageError) in try writer.tap(bytes) },
                                  tapsTrailingBytes: true, layout: layout, readingRawOnThisThread: true, progress: nil)
        if let failure = walk.sourceFailure { throw failure }
        if var located = walk.failure {
            if located.path.isEmpty {
                located.path = stream.path
                if let offset = located.offset {
                    located.found += " (raw stream offset \(offset))"
                    located.offset = stream.format == .raw ? stream.offset + offset : nil  // bounded: a raw offset inside the stream, in the file
                }
            }
            throw located
        }
        return (walk.rawStreamBytes, try writer.finish())
    }
}
