/// Anything saveimg can read a save image from by offset: an open file
/// (``PositionalFile``) or bytes in memory (``InMemoryFile``), as Go's
/// `debug/elf` reads from any `io.ReaderAt`. The one read path,
/// ``SaveImage/init(reading:)``, is generic over it.
public protocol PositionalReader: ~Copyable {
    /// The path shown in errors ("" or a label for memory).
    var path: String { get }
    /// The size in bytes when opened.
    var size: UInt64 { get }
    /// Up to `count` bytes at `offset`; fewer only at the end.
    func read(at offset: UInt64, count: Int) throws(SaveImageError) -> [UInt8]

    /// Reads `[offset, size)` in chunks of at most `chunkSize` bytes, calling
    /// `body` with each chunk and its offset: how every reader of a stream
    /// (convert, check --deep, the sparse raw stream) takes it.
    ///
    /// - Throws: `.busy` (``SaveImageError/fileShrank(_:at:end:size:while:)``)
    ///   when the data ends before `size`: a stream another process cut
    ///   short is never passed off as complete.
    func readChunks(
        from offset: UInt64, chunkSize: Int,
        _ body: (UnsafeRawBufferPointer, UInt64) throws(SaveImageError) -> Void
    ) throws(SaveImageError)
}

extension PositionalReader where Self: ~Copyable {
    /// The chunked read through ``read(at:count:)`` (``PositionalFile`` has
    /// its own, into one reused buffer).
    public func readChunks(
        from offset: UInt64, chunkSize: Int = 1 << 20,
        _ body: (UnsafeRawBufferPointer, UInt64) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        var position = offset
        while position < size {
            let chunk = try read(at: position, count: chunkSize)
            if chunk.isEmpty { throw .fileShrank(path, at: position, end: size, size: size, while: "read") }
            let failure: SaveImageError? = chunk.withUnsafeBytes { raw in
                do throws(SaveImageError) { try body(raw, position) } catch { return error }
                return nil
            }
            if let failure { throw failure }
            position += UInt64(chunk.count)  // bounded: a read returns at most the bytes below size
        }
    }
}

/// Bytes in memory read as if they were a file (fuzzers, tests, edits
/// planned before they are written).
public struct InMemoryFile: PositionalReader, Sendable {
    public let path: String
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8], path: String = "") {
        self.bytes = bytes
        self.path = path
    }

    public var size: UInt64 { UInt64(bytes.count) }

    public func read(at offset: UInt64, count: Int) throws(SaveImageError) -> [UInt8] {
        guard count > 0, offset < size else { return [] }
        let start = Int(offset)  // offset < bytes.count
        let end = start + min(count, bytes.count - start)
        return Array(bytes[start..<end])
    }
}

extension SaveImageError {
    /// A file that ended at `offset` before `end`, the end it had when opened
    /// (`size` bytes): another process truncated it while saveimg was reading
    /// it (`while`: "copied", "read"). Going on would put zeros or nothing
    /// where the stream was, so every chunked reader stops with this error.
    static func fileShrank(_ path: String, at offset: UInt64, end: UInt64, size: UInt64, while doing: String) -> SaveImageError {
        SaveImageError(.busy, path: path, offset: offset, field: "stream",
                       expected: "\(end > offset ? end - offset : 0) more stream bytes (the file was \(size) bytes when opened)",
                       found: "end of file: the image shrank while it was being \(doing) (another process is writing it)")
    }
}
