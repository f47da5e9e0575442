import Dispatch

/// The one driver of ``MigrationStreamWalker``: feeds it a stream's chunks,
/// lets an observer (and a tap on every byte) see the walk, and collects
/// what it found. The deep check, sparse conversion, the verifier's RAM
/// block list and the fuzzers all walk through here.
public struct StreamWalk: Hashable, Sendable {
    /// What the walk found (up to the failure, if any).
    public var summary: MigrationStreamSummary
    /// The first inconsistency, with its raw-stream offset; nil when the walk reached the end.
    public var failure: SaveImageError?
    /// What stopped the stream's bytes from coming (a read or decoder error,
    /// with its file offset); the walker saw the stream as far as it decoded.
    public var sourceFailure: SaveImageError?
    /// Bytes of stream seen (all of them: the rest is drained after a failure).
    public var rawStreamBytes: UInt64
    /// Bytes after the VM description (or QEMU_VM_EOF).
    public var trailingBytes: UInt64
    /// SHA-256 of the stream, lowercase hex; nil when the walk was asked not to hash.
    public var sha256: String?

    /// A byte tap: sees every byte the walker consumes, in order.
    typealias Tap = (UnsafeRawBufferPointer) throws(SaveImageError) -> Void

    /// Walks the chunks `next` returns, in order, nil at the end.
    ///
    /// - Parameters:
    ///   - hashing: false skips the SHA-256 (``sha256`` is then nil).
    ///   - tap: sees every byte consumed; with `tapsTrailingBytes`, also the
    ///     bytes after the walk's end (a copier wants them, a digest does not).
    init(
        hashing: Bool, observer: (any MigrationStreamObserver)? = nil, tap: Tap? = nil, tapsTrailingBytes: Bool = false,
        next: @escaping () -> [UInt8]?
    ) throws(SaveImageError) {
        let cursor = try StreamCursor(hashing: hashing, next: next)
        cursor.tap = tap
        var walker = MigrationStreamWalker(cursor: cursor, observer: observer)
        var tapped: UInt64 = 0
        do throws(SaveImageError) {
            try walker.walk()
            if tapsTrailingBytes { tapped = try cursor.consumeRest() }
        } catch { failure = error }
        cursor.tap = nil
        trailingBytes = tapped + cursor.drain()  // bounded: both count bytes of one in-memory walk, < 2^63
        rawStreamBytes = cursor.offset
        sha256 = hashing ? try cursor.digest() : nil
        summary = walker.summary
    }

    /// Walks `stream`, handing it to the walker in chunks of `chunkSize`
    /// bytes (at least 1), the way the decoder's output arrives.
    /// - Parameter hashing: false skips the SHA-256 (``sha256`` is then nil).
    public init(rawStream stream: [UInt8], chunkSize: Int = 1 << 20, hashing: Bool = true) throws(SaveImageError) {
        let size = max(1, chunkSize)
        var position = 0
        try self.init(hashing: hashing, next: {
            guard position < stream.count else { return nil }
            let end = position + min(size, stream.count - position)  // bounded: position < stream.count (checked above)
            defer { position = end }
            return Array(stream[position..<end])
        })
    }

    /// Walks the whole decoded stream of `source` (``StreamSource/read(decoding:keepMappedRAM:layout:progress:_:)``:
    /// decompressed, or a sparse image's sequential equivalent with
    /// `mapped-ram` kept, as QEMU wrote it). A raw stream is read on this
    /// thread; any other is decoded on a second thread into a bounded
    /// ``ChunkPipe`` (at most 8 MiB waiting), so memory stays bounded
    /// whatever the image's size; with `readingRawOnThisThread`, a raw
    /// stream is read on this thread (no hand-off: what a copier wants; the
    /// deep check overlaps reading with hashing instead). `progress` is
    /// called from the reading thread with the stored bytes read and the
    /// stream's length.
    public init(
        source: StreamSource, hashing: Bool = true, layout: MappedRAMLayout? = nil,
        progress: (@Sendable (UInt64, UInt64) -> Void)? = nil
    ) throws(SaveImageError) {
        try self.init(source: source, hashing: hashing, observer: nil, tap: nil, layout: layout,
                      readingRawOnThisThread: false, progress: progress)
    }

    /// The walk of a source with an observer and a tap (see ``init(hashing:observer:tap:tapsTrailingBytes:next:)``
    /// and ``init(source:hashing:layout:progress:)``).
    init(
        source: StreamSource, hashing: Bool, observer: (any MigrationStreamObserver)?, tap: Tap?,
        tapsTrailingBytes: Bool = false, layout: MappedRAMLayout?, sparsePages: Bool = true, readingRawOnThisThread: Bool,
        progress: (@Sendable (UInt64, UInt64) -> Void)?
    ) throws(SaveImageError) {
        if source.format == .raw && readingRawOnThisThread {
            let reader = SequentialChunks(source: source, progress: progress)
            try self.init(hashing: hashing, observer: observer, tap: tap, tapsTrailingBytes: tapsTrailingBytes,
                          next: { reader.next() })
            sourceFailure = reader.failure
            return
        }
        let pipe = ChunkPipe(capacity: 8)
        // The cursor is set up (and can fail) in the walk's init before anything waits on the pipe.
        DispatchQueue.global().async {
            var batch: [UInt8] = []
            batch.reserveCapacity(1 << 20)
            var failure: SaveImageError?
            do throws(SaveImageError) {
                try source.read(decoding: true, pages: sparsePages, layout: layout, progress: progress) { (raw) throws(SaveImageError) in
                    batch.append(contentsOf: raw)
                    if batch.count >= 1 << 20 {
                        pipe.send(batch)
                        batch = []
                        batch.reserveCapacity(1 << 20)
                    }
                }
            } catch { failure = error }
            // What was decoded before a failure still goes to the walker, so a
            // truncated stream is walked (and reported) as far as it decodes.
            if !batch.isEmpty { pipe.send(batch) }
            pipe.close(failure: failure)
        }
        do throws(SaveImageError) {
            try self.init(hashing: hashing, observer: observer, tap: tap, tapsTrailingBytes: tapsTrailingBytes,
                          next: { pipe.receive() })
        } catch {
            while pipe.receive() != nil {}  // lets the producer finish
            throw error
        }
        sourceFailure = pipe.failure
    }
}

/// A raw stream's stored bytes in 1 MiB chunks, pulled on the walker's own
/// thread (no hand-off between threads); a read error ends the chunks and
/// is kept in ``failure``.
final class SequentialChunks {
    private let source: StreamSource
    private let progress: (@Sendable (UInt64, UInt64) -> Void)?
    private var position: UInt64 = 0
    private(set) var failure: SaveImageError?

    init(source: StreamSource, progress: (@Sendable (UInt64, UInt64) -> Void)?) {
        self.source = source
        self.progress = progress
    }

    func next() -> [UInt8]? {
        guard failure == nil, position < source.length else { return nil }
        do throws(SaveImageError) {
            let start = source.offset + position  // bounded: position < length, offset + length is the reader's size
            let chunk = try source.reader.read(at: start, count: Int(min(1 << 20, source.length - position)))  // bounded: position < length; at most 1 MiB
            if chunk.isEmpty {
                throw SaveImageError.fileShrank(source.path, at: start, end: source.offset + source.length,  // bounded: the reader's size
                                                size: source.reader.size, while: "read")
            }
            position += UInt64(chunk.count)  // bounded: at most length
            progress?(position, source.length)
            return chunk
        } catch {
            failure = error
            return nil
        }
    }
}
