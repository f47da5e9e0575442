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
