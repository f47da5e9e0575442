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
        guard StreamCodec.supported.contains(format) else {
            report.problems.append(DeepCheckProblem(StreamCodec.unsupported(format).locating(path, base: nil), rawStream: false))
            return report
        }
        let pipe = ChunkPipe(capacity: 8)
        let streamOffset = image.streamOffset
        // The cursor (and its SHA-256 state) first: if that fails, no producer is left blocked on the pipe.
        let cursor = try StreamCursor(next: { pipe.receive() })
        DispatchQueue.global().async {
            pipe.close(failure: produce(path: path, format: format, from: streamOffset, into: pipe, progress: progress))
        }
        var walker = MigrationStreamWalker(cursor: cursor)
        var walkFailure: SaveImageError?
        do throws(SaveImageError) { try walker.walk() } catch { walkFailure = error }
        report.trailingBytes = cursor.drain()
        report.rawStreamBytes = cursor.offset
        report.sha256 = try cursor.digest()
        report.stream = walker.summary
        if let failure = pipe.failure {
            report.problems.append(DeepCheckProblem(failure, rawStream: false))
        }
        if var walkFailure {
            walkFailure.path = path
            report.problems.append(DeepCheckProblem(walkFailure, rawStream: true, fileBase: format == .raw ? streamOffset : nil))
        }
        if let seal = report.seal {
            report.sealMatches = seal.invalidBytes == nil && seal.sha256 == report.sha256
                && (seal.bytes == nil || seal.bytes == report.rawStreamBytes)
            if let invalid = seal.invalidBytes { report.problems.append(DeepCheckProblem(invalid, rawStream: false)) }
        }
        return report
    }

    /// Reads and decodes the stream into `pipe` in 1 MiB chunks; returns the error that stopped it, if any.
    static func produce(path: String, format: CompressionFormat, from offset: UInt64, into pipe: ChunkPipe,
                        progress: (@Sendable (UInt64, UInt64) -> Void)? = nil) -> SaveImageError? {
        do throws(SaveImageError) {
            let file = try PositionalFile(openingForReading: path)
            let decoder = try StreamCodec.decoder(for: format)
            var batch: [UInt8] = []
            batch.reserveCapacity(1 << 20)
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
            if !batch.isEmpty { pipe.send(batch) }
            return nil
        } catch {
            return error
        }
    }
}
