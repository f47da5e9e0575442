import Dispatch

/// `saveimg check --deep`: decompresses the whole stream, walks it with
/// ``MigrationStreamWalker`` and hashes it (SHA-256 of the raw stream).
///
/// Two threads: one reads and decompresses into a bounded ``ChunkPipe``
/// (at most 8 MiB waiting), the caller's thread hashes and walks. Memory
/// stays bounded whatever the image size.
public enum DeepCheck {
    /// Checks the image at `path`. Throws only when the metadata cannot be
    /// read (the reader's errors); stream problems are in the report.
    /// `progress`, when given, is called from the reading thread with the
    /// stream bytes read so far and the stream's size in the file.
    public static func run(path: String, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil)
        throws(SaveImageError) -> DeepCheckReport {
        let image = try SaveImage(contentsOf: path)
        let format = image.header.version < 2 ? CompressionFormat.raw : image.header.format
        var report = DeepCheckReport(path: path, format: format.description, streamOffset: image.streamOffset,
                                     streamBytes: image.streamLength)
        report.seal = SaveImageSeal.find(in: image)
        var layout: MappedRAMLayout?
        if format == .sparse {
            do throws(SaveImageError) {
                let file = try PositionalFile(openingForReading: path)
                layout = try MappedRAMLayout.read(file, streamOffset: image.streamOffset)
            } catch {
                report.problems.append(DeepCheckProblem(error.locating(path, base: nil), rawStream: false))
                return report
            }
        } else if !StreamCodec.supported.contains(format) {
            report.problems.append(DeepCheckProblem(StreamCodec.unsupported(format).locating(path, base: nil), rawStream: false))
            return report
        }
        let pipe = ChunkPipe(capacity: 8)
        let streamOffset = image.streamOffset
        // The cursor (and its SHA-256 state) first: if that fails, no producer is left blocked on the pipe.
        let cursor = try StreamCursor(next: { pipe.receive() })
        let state = try GuestStateDigest()
        cursor.tap = { (bytes) throws(SaveImageError) in try state.tap(bytes) }
        let sparseLayout = layout
        DispatchQueue.global().async {
            if let layout = sparseLayout {
                pipe.close(failure: produceSparse(path: path, layout: layout, into: pipe))
            } else {
                pipe.close(failure: produce(path: path, format: format, from: streamOffset, into: pipe, progress: progress))
            }
        }
        var walker = MigrationStreamWalker(cursor: cursor, observer: state)
        var walkFailure: SaveImageError?
        do throws(SaveImageError) { try walker.walk() } catch { walkFailure = error }
        cursor.tap = nil
        report.trailingBytes = cursor.drain()
        report.rawStreamBytes = cursor.offset
        report.sha256 = try cursor.digest()
        report.stream = walker.summary
        if let failure = pipe.failure {
            report.problems.append(DeepCheckProblem(failure, rawStream: false))
        }
        if let layout {
            report.sparse = SparseImageSummary(layout)
            report.problems += bitmapProblems(layout)  // bounded: array append
        }
        if var walkFailure {
            walkFailure.path = path
            report.problems.append(DeepCheckProblem(walkFailure, rawStream: true,
                                                    fileBase: fileBase(format: format, streamOffset: streamOffset,
                                                                       layout: layout, rawOffset: walkFailure.offset)))
        }
        if walkFailure == nil, pipe.failure == nil { report.stateSha256 = try state.finalize() }
        if let seal = report.seal {
            if let invalid = seal.invalidBytes { report.problems.append(DeepCheckProblem(invalid, rawStream: false)) }
            switch seal.digest {
            case .guestState: report.sealMatches = seal.invalidBytes == nil && seal.sha256 == report.stateSha256
            case .streamBytes:
                report.sealMatches = seal.invalidBytes == nil && seal.sha256 == report.sha256
                    && (seal.bytes == nil || seal.bytes == report.rawStreamBytes)
            }
        }
        return report
    }

    /// The file offset of raw-stream offset 0 for walker problems: the stream
    /// offset for raw streams; for a sparse image, such that an offset in the
    /// copied device state maps to its place in the file (nil before it).
    static func fileBase(format: CompressionFormat, streamOffset: UInt64, layout: MappedRAMLayout?, rawOffset: UInt64?) -> UInt64? {
        if format == .raw { return streamOffset }
        guard let layout, let rawOffset else { return nil }
        let rawStart = MappedRAMRawStream.deviceStateRawOffset(of: layout, keepMappedRAM: true)
        guard rawOffset >= rawStart, layout.deviceStateOffset >= rawStart else { return nil }
        return layout.deviceStateOffset - rawStart  // bounded: guarded: deviceStateOffset >= rawStart just above
    }

    /// Bits set past a block's last page: QEMU never sets them (its bitmap has one bit per page).
    static func bitmapProblems(_ layout: MappedRAMLayout) -> [DeepCheckProblem] {
        var problems: [DeepCheckProblem] = []
        for block in layout.blocks {
            let stray = MappedRAMBlock.countPresent(block.bitmap, pages: block.bitmapSize * 8) - block.pagesPresent  // bounded: the bitmap in memory has bitmapSize*8 bits, pagesPresent counts a subset of them
            guard stray > 0 else { continue }
            let error = SaveImageError(.badStream, path: layout.path, offset: block.bitmapOffset + block.pageCount / 8,  // bounded: bitmapOffset was checked to lie within the file; pageCount / 8 is within the bitmap
                                       field: "mapped-ram bitmap of '\(block.name)'",
                                       expected: "no bit past page \(block.pageCount)", found: "\(stray) such bits set")
            problems.append(DeepCheckProblem(error, rawStream: false))
        }
        return problems
    }

    /// Emits the raw-equivalent stream of a sparse image into `pipe`.
    static func produceSparse(path: String, layout: MappedRAMLayout, into pipe: ChunkPipe) -> SaveImageError? {
        do throws(SaveImageError) {
            let file = try PositionalFile(openingForReading: path)
            try MappedRAMRawStream.emit(file, layout: layout, keepMappedRAM: true) { (batch) throws(SaveImageError) in
                pipe.send(batch)
            }
            return nil
        } catch {
            return error.locating(path, base: nil)
        }
    }

    /// Reads and decodes the stream into `pipe` in 1 MiB chunks; returns the error that stopped it, if any.
    static func produce(path: String, format: CompressionFormat, from offset: UInt64, into pipe: ChunkPipe,
                        progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) -> SaveImageError? {
        // What was decoded before a failure still goes to the walker, so a
        // truncated stream is walked (and reported) as far as it decodes.
        var batch: [UInt8] = []
        batch.reserveCapacity(1 << 20)
        defer { if !batch.isEmpty { pipe.send(batch) } }
        do throws(SaveImageError) {
            let file = try PositionalFile(openingForReading: path)
            let decoder = try StreamCodec.decoder(for: format)
            let collect: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void = { raw in
                batch.append(contentsOf: raw)
                if batch.count >= 1 << 20 {
                    pipe.send(batch)
                    batch = []
                    batch.reserveCapacity(1 << 20)
                }
            }
            let total = file.size > offset ? file.size - offset : 0  // bounded: checked just before
            var done: UInt64 = 0
            try file.readChunks(from: offset) { (chunk, _) throws(SaveImageError) in
                done += UInt64(chunk.count)  // bounded: at most the file size
                progress?(done, total)
                do throws(SaveImageError) { try decoder.process(chunk, output: collect) } catch {
                    throw error.locating(path, base: offset)
                }
            }
            do throws(SaveImageError) { try decoder.finish(output: collect) } catch { throw error.locating(path, base: offset) }
            return nil
        } catch {
            return error
        }
    }
}
