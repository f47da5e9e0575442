/// Rewrites a save image's stream in another format (and optionally its
/// header's byte order or version), keeping the data region, i.e. the domain
/// XML, cookie, extension chain and padding, byte-identical.
///
/// The output is written to a temporary file in the output's directory and
/// renamed over it only when complete and synced, with the input's mode and
/// owner; so a failure or Ctrl-C leaves no partial output, the input is never
/// modified, and output == input converts in place. An existing output
/// that is not the input is refused unless ``ConversionRequest/replaceExisting``.
public enum SaveImageConverter {
    /// Converts `input` to `output` as `request` says.
    public static func convert(
        input: String, output: String, request: ConversionRequest,
        progress: ((ConversionProgress) -> Void)? = nil
    ) throws(SaveImageError) -> ConversionSummary {
        try convert(input: input, output: output, request: request, metadata: nil, progress: progress)
    }

    /// Converts `input` to `output`, writing `metadata`'s header fields and
    /// data region instead of the input's (an edit planned on the input:
    /// ``WritePlan/result``, whose stream is the input's), so that an edit
    /// and a conversion make one staged output (``Retargeter``).
    static func convert(
        input: String, output: String, request: ConversionRequest, metadata: SaveImage?,
        progress: ((ConversionProgress) -> Void)? = nil
    ) throws(SaveImageError) -> ConversionSummary {
        let file = try PositionalFile(openingForReading: input)
        if !request.replaceExisting, let existing = FileStatus(ofLink: output),
           existing.device != file.status.device || existing.inode != file.status.inode {
            throw SaveImageError(.editRejected, path: output, field: "OUT", expected: "a path that does not exist, or IN itself",
                                 found: existing.isDirectory ? existing.outputInTheWay(refusal: "")
                                     : "an existing file that is not \(input) (convert does not overwrite it; "
                                     + "remove it first or pass --overwrite)")
        }
        let image = try SaveImage(reading: file)
        let source = try sourceFormat(of: image)
        if let metadata, metadata.stream.path != image.stream.path || metadata.header.format != image.header.format {
            throw SaveImageError(.editRejected, path: input, field: "data region", expected: "an edit planned on \(input)",
                                 found: "one planned on \(metadata.stream.path) (\(metadata.header.format))")
        }
        let header = try outputHeader(metadata?.header ?? image.header, request: request, path: input)
        let regionBytes: [UInt8]
        if let metadata { regionBytes = metadata.region.serialized() } else {
            regionBytes = try file.read(at: UInt64(SaveImageHeader.size), count: Int(image.header.dataLength))
        }
        let ownership = (mode: file.status.permissions, owner: file.status.owner, group: file.status.group)
        if source == .sparse || request.format == .sparse {
            return try SparseConversion.convert(image: image, source: source, header: header, regionBytes: regionBytes,
                                                ownership: ownership, input: input, output: output, request: request)
        }

        let staged = try ReplacementFile(replacing: output, label: "saveimg-convert", removeOnSignal: true)
        if request.directIO { staged.writeAppendsBehind() }
        try append(header.serialized(), to: staged)
        try append(regionBytes, to: staged)
        let copy = source == request.format && request.options.level == nil
        let rawBytes = try transcode(image.stream, copy: copy, request: request, into: staged, progress: progress)
        let written = staged.length
        try staged.commit(mode: ownership.mode, owner: ownership.owner, group: ownership.group)
        return ConversionSummary(
            input: input, output: output, fromFormat: source.description, toFormat: request.format.description,
            streamCopied: copy, inputBytes: file.size, outputBytes: written, rawStreamBytes: rawBytes,
            outputStreamBytes: written - header.streamOffset)
    }

    /// The stream's real format: the header's, checked against the stream's magic.
    static func sourceFormat(of image: SaveImage) throws(SaveImageError) -> CompressionFormat {
        let declared = image.effectiveFormat
        guard StreamFormat.named(declared) != nil else {
            throw SaveImageError(.badStream, path: image.path, offset: UInt64(HeaderField.format.offset),
                                 field: "format", expected: "a format saveimg can read", found: "\(declared)")
        }
        let found = image.streamSignature
        guard found.impliedFormat == (declared == .sparse ? .raw : declared) else {
            throw SaveImageError(.badStream, path: image.path, offset: image.streamOffset, field: "stream",
                                 expected: "a \(declared) stream, as the header's format says",
                                 found: found == .empty ? "no stream" : "a \(found.name) stream")
        }
        return declared
    }

    /// The header to write: new format, and byte order / version if asked.
    static func outputHeader(
        _ input: SaveImageHeader, request: ConversionRequest, path: String
    ) throws(SaveImageError) -> SaveImageHeader {
        var header = input
        header.format = request.format
        if let order = request.byteOrder { header.byteOrder = order }
        if let version = request.version {
            guard version == 1 || version == 2 else {
                throw SaveImageError(.editRejected, path: path, offset: UInt64(HeaderField.version.offset),
                                     field: "version", expected: "1 or 2", found: "\(version)")
            }
            header.version = version
        }
        if header.version < 2 && request.format != .raw {
            throw SaveImageError(
                .editRejected, path: path, offset: UInt64(HeaderField.version.offset), field: "version",
                expected: "version 2 for a \(request.format) stream (libvirt ignores the format below version 2)",
                found: "\(header.version)")
        }
        return header
    }

    /// Streams the input's stream through the encoder into `staged` (decoded
    /// by the source, or copied as stored when `copy`); returns the raw
    /// stream's size (0 when copied unchanged and compressed).
    static func transcode(
        _ stream: StreamSource, copy: Bool, request: ConversionRequest, into staged: ReplacementFile,
        progress: ((ConversionProgress) -> Void)?
    ) throws(SaveImageError) -> UInt64 {
        let path = stream.path
        let encoder: any StreamTransform = copy ? PassthroughTransform() : try StreamFormat.encoder(
            for: request.format, options: request.options)
        var rawBytes: UInt64 = 0
        let write: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void = { (bytes) throws(SaveImageError) in
            try staged.append(bytes)
        }
        try stream.read(decoding: !copy, progress: { done, total in
            progress?(ConversionProgress(done: done, total: total))
        }) { (raw) throws(SaveImageError) in
            rawBytes += UInt64(raw.count)  // bounded: bytes decoded from one file, < 2^63
            do throws(SaveImageError) { try encoder.process(raw, output: write) } catch { throw error.locating(path, base: nil) }
        }
        do throws(SaveImageError) { try encoder.finish(output: write) } catch { throw error.locating(path, base: nil) }
        return copy && stream.format != .raw ? 0 : rawBytes
    }

    static func append(_ bytes: [UInt8], to staged: ReplacementFile) throws(SaveImageError) {
        let buffer = CodecBuffer(capacity: bytes.count)
        buffer.pointer.copyBytes(from: bytes)
        try staged.append(buffer.prefix(bytes.count))
    }
}
