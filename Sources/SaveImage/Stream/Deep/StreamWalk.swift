/// The walk of a raw QEMU migration stream held in memory: what
/// ``DeepCheck/run(path:)`` does after decompression, for tests and fuzzers
/// that have the stream bytes and no file.
public struct StreamWalk: Hashable, Sendable {
    /// What the walk found (up to the failure, if any).
    public var summary: MigrationStreamSummary
    /// The first inconsistency, with its raw-stream offset; nil when the walk reached the end.
    public var failure: SaveImageError?
    /// Bytes of stream seen (all of them: the rest is drained after a failure).
    public var rawStreamBytes: UInt64
    /// Bytes after the VM description (or QEMU_VM_EOF).
    public var trailingBytes: UInt64
    /// SHA-256 of the stream, lowercase hex; nil when the walk was asked not to hash.
    public var sha256: String?

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

    /// Walks the stream whose chunks `next` returns, in order, nil at the end.
    private init(hashing: Bool, next: @escaping () -> [UInt8]?) throws(SaveImageError) {
        let cursor = try StreamCursor(hashing: hashing, next: next)
        var walker = MigrationStreamWalker(cursor: cursor)
        do throws(SaveImageError) { try walker.walk() } catch { failure = error }
        trailingBytes = cursor.drain()
        rawStreamBytes = cursor.offset
        sha256 = hashing ? try cursor.digest() : nil
        summary = walker.summary
    }

    /// Walks the raw-equivalent stream of the mapped-ram (sparse) stream
    /// whose layout is `layout`, reading its pages from `file`, as
    /// ``DeepCheck/run(path:)`` does for a sparse image (`mapped-ram` kept in
    /// the configuration). Holds the whole raw stream in memory: for tests
    /// and fuzzers. Throws what stops the raw stream from being produced (a
    /// page size other than 4096, a page region the file does not hold).
    /// The walker sees the stream in the batches the raw stream is emitted in.
    /// - Parameter hashing: false skips the SHA-256 (``sha256`` is then nil).
    public init(
        mappedRAM file: borrowing some PositionalReader & ~Copyable, layout: MappedRAMLayout, hashing: Bool = true
    ) throws(SaveImageError) {
        var batches: [[UInt8]] = []
        try MappedRAMRawStream.emit(file, layout: layout, keepMappedRAM: true) { (batch) throws(SaveImageError) in
            batches.append(batch)
        }
        var index = 0
        try self.init(hashing: hashing, next: {
            guard index < batches.count else { return nil }
            defer { index += 1 }  // bounded: index < batches.count (checked above)
            return batches[index]
        })
    }
}
