#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// An open regular file read and written by offset (`pread`/`pwrite`, through
/// swift-system's `FileDescriptor`, which retries `EINTR`): the one file type
/// of saveimg. Reading the metadata never reads the stream.
///
/// Two ways to open it:
/// - ``init(openingForReading:)``: read-only, no lock. Readers take no lock
///   (the reader re-reads the header instead; see ``SaveImage/init(reading:)``).
/// - ``init(openingForEditing:writable:)``: for an editor: never through a
///   symbolic link (`O_NOFOLLOW`; a rename would replace the link), with an
///   exclusive non-blocking `flock` so two editors never work on one file;
///   read-write when the edit goes to this file, read-only for `--output`.
///
/// Either way anything but a regular file is refused, so a FIFO, a device
/// such as `/dev/zero` or a directory never blocks or floods saveimg.
///
/// Sendable: reads and writes are positional (`pread`/`pwrite`), so threads
/// share no file position; ``close()`` is the owner's, once nothing reads.
public final class PositionalFile: PositionalReader, @unchecked Sendable {
    /// The path as given.
    public let path: String
    /// The file's status when opened.
    public let status: FileStatus
    /// Whether ``write(_:at:)`` is allowed.
    public let isWritable: Bool
    let descriptor: FileDescriptor
    private var isClosed = false

    /// The raw descriptor, for the few calls swift-system does not wrap.
    var fd: Int32 { descriptor.rawValue }

    /// The file's size in bytes when it was opened.
    public var size: UInt64 { status.size }

    /// Opens `path` read-only, following links, without a lock.
    public convenience init(openingForReading path: String) throws(SaveImageError) {
        try self.init(path: path, options: [.closeOnExec, .nonBlocking], writable: false, lock: false)
    }

    /// Opens `path` for an editor and locks it.
    ///
    /// - Throws: `.notRegularFile` for a symbolic link, a directory or
    ///   anything but a regular file; `.busy` if another process holds the
    ///   lock; `.io` if it cannot be opened.
    public convenience init(openingForEditing path: String, writable: Bool) throws(SaveImageError) {
        try self.init(path: path, options: [.closeOnExec, .nonBlocking, .noFollow], writable: writable, lock: true)
    }

    /// Creates a new file at `path` (`O_EXCL`, never through a link) with
    /// `permissions`, open read-write; nil when something already exists there.
    /// Errors name `reportedAs` (the file a temporary one will replace).
    static func createExclusively(
        _ path: String, permissions: UInt32, reportedAs: String
    ) throws(SaveImageError) -> PositionalFile? {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(
                FilePath(path), .readWrite, options: [.closeOnExec, .noFollow, .create, .exclusiveCreate],
                permissions: FilePermissions(rawValue: CModeT(permissions & 0o7777)))
        } catch Errno.fileExists {
            return nil
        } catch {
            throw openFailure(error, path: reportedAs, writable: true)
        }
        return try PositionalFile(adopting: descriptor, path: reportedAs, writable: true, lock: false)
    }

    private convenience init(path: String, options: FileDescriptor.OpenOptions, writable: Bool, lock: Bool) throws(SaveImageError) {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(FilePath(path), writable ? .readWrite : .readOnly, options: options)
        } catch {
            throw Self.openFailure(error, path: path, writable: writable)
        }
        try self.init(adopting: descriptor, path: path, writable: writable, lock: lock)
    }

    /// Takes ownership of an open descriptor: checks it is a regular file and
    /// locks it when asked; closes it on failure.
    init(adopting descriptor: FileDescriptor, path: String, writable: Bool, lock: Bool) throws(SaveImageError) {
        let status: FileStatus
        do { status = try FileStatus(of: descriptor.rawValue, path: path) } catch {
            _ = try? descriptor.close()
            throw error
        }
        guard status.isRegularFile else {
            _ = try? descriptor.close()
            throw SaveImageError(.notRegularFile, path: path, field: "file", expected: "a regular file",
                                 found: status.kindDescription)
        }
        if lock, case .failure(let error) = Syscall.nothingOrErrno({ flock(descriptor.rawValue, LOCK_EX | LOCK_NB) }) {
            _ = try? descriptor.close()
            throw SaveImageError(.busy, path: path, field: "file", expected: "no other saveimg editing the file",
                                 found: "flock failed: \(Syscall.describe(error)) (another editor holds it)")
        }
        self.path = path
        self.status = status
        self.isWritable = writable
        self.descriptor = descriptor
    }

    private static func openFailure(_ error: Errno, path: String, writable: Bool) -> SaveImageError {
        switch error {
        case .isDirectory:
            SaveImageError(.notRegularFile, path: path, field: "file", expected: "a regular file", found: "a directory")
        case .tooManySymbolicLinkLevels:
            SaveImageError(.notRegularFile, path: path, field: "file", expected: "a regular file (not a symbolic link)",
                           found: "a symbolic link; saveimg does not edit through links, give the real path (readlink -f)")
        default:
            .systemCall("open", failedWith: error, path: path,
                        expected: writable ? "a file open for reading and writing" : "a readable file")
        }
    }

    private static func openFailure(_ error: any Error, path: String, writable: Bool) -> SaveImageError {
        openFailure((error as? Errno) ?? .ioError, path: path, writable: writable)
    }

    deinit { if !isClosed { _ = try? descriptor.close() } }

    /// Closes the file now, reporting a failed `close` (a late write error on
    /// some file systems). Nothing may be read or written after it.
    public func close() throws(SaveImageError) {
        guard !isClosed else { return }
        isClosed = true
        do { try descriptor.close() } catch {
            throw .systemCall("close", failedWith: (error as? Errno) ?? .ioError, path: path, expected: "the file closed")
        }
    }

    /// Releases the editor's lock (``init(openingForEditing:writable:)``) and
    /// keeps the file open for reading: an image read through this file keeps
    /// it as its reader (``SaveImage/stream``) after the edit, and must not
    /// keep another editor out. Idempotent.
    public func unlock() {
        guard !isClosed else { return }
        _ = Syscall.nothingOrErrno({ flock(descriptor.rawValue, LOCK_UN) })
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the
    /// file as it was when opened (``size``: a file in `/proc` that says 0
    /// reads as empty, and bytes appended since are not seen).
    public func read(at offset: UInt64, count: Int) throws(SaveImageError) -> [UInt8] {
        guard count > 0, offset < size else { return [] }
        let count = Int(min(UInt64(count), size - offset))
        var buffer = [UInt8](repeating: 0, count: count)
        // withUnsafeMutableBytes rethrows untyped errors: carry the typed one out.
        let result: Result<Int, SaveImageError> = buffer.withUnsafeMutableBytes { raw in
            do throws(SaveImageError) { return .success(try read(into: raw, at: offset)) } catch { return .failure(error) }
        }
        let filled = try result.get()
        buffer.removeLast(count - filled)
        return buffer
    }

    /// Fills `buffer` from `offset`; returns the bytes read (fewer only at the end).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws(SaveImageError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let got: Int
            do {
                got = try descriptor.read(fromAbsoluteOffset: Int64(clamping: offset) + Int64(filled),
                                          into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            } catch {
                throw .systemCall("pread", failedWith: (error as? Errno) ?? .ioError, path: path,
                                  offset: offset + UInt64(filled), expected: "\(buffer.count) readable bytes")
            }
            if got == 0 { break }
            filled += got
        }
        return filled
    }

    /// Reads `[offset, end of file)` in chunks of `chunkSize` into one reused
    /// buffer, calling `body` with each chunk and its file offset. Memory
    /// stays at one chunk whatever the file size.
    ///
    /// - Throws: `.busy` (``SaveImageError/fileShrank(_:at:end:size:while:)``) when the
    ///   file ends before the size it had when opened: a conversion or check
    ///   never passes off a stream another process cut short as complete.
    public func readChunks(
        from offset: UInt64, chunkSize: Int = 1 << 20,
        _ body: (UnsafeRawBufferPointer, UInt64) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        _ = posix_fadvise(fd, off_t(clamping: offset), 0, POSIX_FADV_SEQUENTIAL)
        let buffer = CodecBuffer(capacity: chunkSize)
        var position = offset
        while position < size {
            let wanted = Int(min(UInt64(chunkSize), size - position))
            let got = try read(into: UnsafeMutableRawBufferPointer(start: buffer.base, count: wanted), at: position)
            if got == 0 { throw .fileShrank(path, at: position, end: size, size: size, while: "read") }
            try body(buffer.prefix(got), position)
            position += UInt64(got)
        }
    }

    /// Writes all of `bytes` at `offset`.
    public func write(_ bytes: [UInt8], at offset: UInt64) throws(SaveImageError) {
        let failure: SaveImageError? = bytes.withUnsafeBytes { raw in
            do throws(SaveImageError) { try write(raw, at: offset) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Writes all of `bytes` at `offset` (short writes continued).
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(SaveImageError) {
        guard isWritable else {
            throw SaveImageError(.io, path: path, offset: offset, field: "file", expected: "a file opened for writing",
                                 found: "a read-only file")
        }
        do {
            _ = try descriptor.writeAll(toAbsoluteOffset: Int64(clamping: offset), bytes)
        } catch {
            throw .systemCall("pwrite", failedWith: (error as? Errno) ?? .ioError, path: path, offset: offset,
                              expected: "\(bytes.count) bytes written")
        }
    }

    /// Flushes the file's data and metadata to stable storage (`fsync`).
    public func sync() throws(SaveImageError) { try Self.sync(fd: fd, path: path) }

    static func sync(fd: Int32, path: String) throws(SaveImageError) {
        if case .failure(let error) = Syscall.nothingOrErrno({ fsync(fd) }) {
            throw .systemCall("fsync", failedWith: error, path: path, expected: "fsync to succeed")
        }
    }

    /// Whether `path` still names this open file (it was not replaced or removed).
    func pathStillNamesFile() -> Bool {
        guard let now = FileStatus(ofLink: path) else { return false }
        return now.device == status.device && now.inode == status.inode
    }

    /// Whether anything (even a dangling link) exists at `path` (`lstat`).
    public static func exists(_ path: String) -> Bool { FileStatus(ofLink: path) != nil }

    /// The whole of a small input file (a CPU or domain XML, capabilities, an
    /// extension document), refusing one larger than `limit` bytes.
    public static func contents(of path: String, limit: Int = 16 << 20) throws(SaveImageError) -> [UInt8] {
        let file = try PositionalFile(openingForReading: path)
        guard file.size <= UInt64(limit) else {
            throw SaveImageError(.tooLarge, path: path, field: "file", expected: "at most \(limit) bytes",
                                 found: "\(file.size) bytes")
        }
        return try file.read(at: 0, count: Int(file.size))
    }
}

/// Standard input read to its end (`-` as an input file name), and pipes named by a path.
public enum StandardInput {
    /// Everything on standard input, refusing more than `limit` bytes.
    public static func contents(limit: Int = 16 << 20) throws(SaveImageError) -> [UInt8] {
        try readToEnd(.standardInput, path: "-", field: "standard input", limit: limit)
    }

    /// Everything from the FIFO or character device at `path` (`define FILE <(cmd)`, `/dev/stdin`), read to
    /// its end as standard input is, refusing more than `limit` bytes (so `/dev/zero` cannot flood saveimg).
    /// A FIFO's open waits for its writer, as `cat` does.
    ///
    /// - Throws: `.notRegularFile` for anything but a FIFO or a character device (a regular file is read
    ///   with ``PositionalFile/contents(of:limit:)``).
    public static func contents(ofPipe path: String, limit: Int = 16 << 20) throws(SaveImageError) -> [UInt8] {
        guard let status = FileStatus(following: path), status.isPipeOrCharacterDevice else {
            throw SaveImageError(.notRegularFile, path: path, field: "file", expected: "a FIFO or a character device",
                                 found: FileStatus(following: path)?.kindDescription ?? "nothing")
        }
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(path, .readOnly, options: [.closeOnExec], retryOnInterrupt: true)
        } catch {
            throw .systemCall("open", failedWith: (error as? Errno) ?? .ioError, path: path, field: "file",
                              expected: "a readable pipe")
        }
        defer { try? descriptor.close() }
        return try readToEnd(descriptor, path: path, field: "pipe", limit: limit)
    }

    private static func readToEnd(_ descriptor: FileDescriptor, path: String, field: String,
                                  limit: Int) throws(SaveImageError) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let got: Int
            do {
                got = try buffer.withUnsafeMutableBytes { try descriptor.read(into: $0) }
            } catch {
                throw .systemCall("read", failedWith: (error as? Errno) ?? .ioError, path: path, field: field,
                                  expected: "readable input")
            }
            if got == 0 { return bytes }
            bytes += buffer[0..<got]
            guard bytes.count <= limit else {
                throw SaveImageError(.tooLarge, path: path, field: field, expected: "at most \(limit) bytes",
                                     found: "more")
            }
        }
    }
}
