#if canImport(Glibc)
import Glibc
#endif
import CSaveImageShims

/// A save image opened for editing: the only place the editor touches the
/// operating system (with ``StreamCopier`` and ``DirectoryEntry``).
///
/// Opening takes an exclusive, non-blocking `flock`, so two editors never
/// work on the same file; it refuses symbolic links (`O_NOFOLLOW`), because
/// an edit that replaces the file by rename would replace the link, not the
/// file it points to.
public final class EditableFile {
    /// The path as given.
    public let path: String
    /// The file descriptor (read-write, or read-only for `--output`).
    let fd: Int32
    /// Whether the descriptor is writable.
    public let isWritable: Bool
    /// The file's status when opened.
    let status: Status

    /// What `fstat` says about the file, as the editor needs it.
    struct Status {
        var mode: UInt32
        var owner: UInt32
        var group: UInt32
        var size: UInt64
        var device: UInt64
        var inode: UInt64
        var links: UInt64
    }

    /// Opens `path` for editing and locks it.
    ///
    /// - Parameters:
    ///   - path: the save image.
    ///   - writable: open read-write (in-place edits and replacing the file);
    ///     false when the result goes to another file.
    /// - Throws: `.io` if the file cannot be opened (`.notRegularFile` for a
    ///   symbolic link or anything but a regular file), `.busy` if another
    ///   process holds the lock.
    public init(opening path: String, writable: Bool) throws(SaveImageError) {
        let flags = (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK
        let fd = open(path, flags)
        if fd < 0 {
            let error = errno
            if error == EISDIR {
                throw SaveImageError(.notRegularFile, path: path, field: "file", expected: "a regular file",
                                     found: "a directory")
            }
            if error == ELOOP {
                throw SaveImageError(
                    .notRegularFile, path: path, field: "file", expected: "a regular file (not a symbolic link)",
                    found: "a symbolic link; saveimg does not edit through links, give the real path (readlink -f)")
            }
            throw SaveImageError(.io, path: path, field: "file",
                                 expected: writable ? "a file open for reading and writing" : "a readable file",
                                 found: "open failed: \(Self.describe(error))")
        }
        let status: Status
        do { status = try Self.stat(fd, path: path) } catch { _ = close(fd); throw error }
        guard status.mode & UInt32(S_IFMT) == UInt32(S_IFREG) else {
            _ = close(fd)
            throw SaveImageError(.notRegularFile, path: path, field: "file", expected: "a regular file",
                                 found: "mode \(String(status.mode, radix: 8))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            _ = close(fd)
            throw SaveImageError(.busy, path: path, field: "file", expected: "no other saveimg editing the file",
                                 found: "flock failed: \(Self.describe(error)) (another editor holds it)")
        }
        self.path = path
        self.fd = fd
        self.isWritable = writable
        self.status = status
    }

    deinit { _ = close(fd) }

    /// The file's size when opened.
    public var size: UInt64 { status.size }

    /// Reads up to `count` bytes at `offset` (fewer only at the end of the file).
    public func read(at offset: UInt64, count: Int) throws(SaveImageError) -> [UInt8] {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw SaveImageError(.io, path: path, offset: offset + UInt64(filled), field: "file",
                                     expected: "\(count) readable bytes", found: "pread failed: \(Self.describe(errno))")
            }
            if got == 0 { break }
            filled += got
        }
        buffer.removeLast(count - filled)
        return buffer
    }

    /// Writes all of `bytes` at `offset` (`pwrite`, retried on short writes).
    public func write(_ bytes: [UInt8], at offset: UInt64) throws(SaveImageError) {
        try Self.writeAll(fd: fd, bytes, at: offset, path: path)
    }

    /// Flushes the file's data and metadata to stable storage (`fsync`).
    public func sync() throws(SaveImageError) { try Self.sync(fd: fd, path: path) }

    /// Whether `path` still names this open file (it was not replaced or removed).
    func pathStillNamesFile() -> Bool {
        var st = Glibc.stat()
        guard lstat(path, &st) == 0 else { return false }
        return UInt64(st.st_dev) == status.device && UInt64(st.st_ino) == status.inode
    }

    // MARK: - Shared helpers (also used for the temporary file)

    static func writeAll(fd: Int32, _ bytes: [UInt8], at offset: UInt64, path: String) throws(SaveImageError) {
        // Array.withUnsafeBytes rethrows untyped errors: carry the typed one out.
        let failure: SaveImageError? = bytes.withUnsafeBytes { raw in
            do throws(SaveImageError) { try writeAll(fd: fd, raw, at: offset, path: path) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    static func writeAll(fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: UInt64, path: String) throws(SaveImageError) {
        guard let base = bytes.baseAddress else { return }
        var written = 0
        while written < bytes.count {
            let result = pwrite(fd, base + written, bytes.count - written, off_t(offset) + off_t(written))
            if result < 0 {
                if errno == EINTR { continue }
                throw SaveImageError(.io, path: path, offset: offset + UInt64(written), field: "file",
                                     expected: "\(bytes.count) bytes written", found: "pwrite failed: \(describe(errno))")
            }
            written += result
        }
    }

    static func sync(fd: Int32, path: String) throws(SaveImageError) {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw SaveImageError(.io, path: path, field: "file", expected: "fsync to succeed",
                                 found: "fsync failed: \(describe(errno))")
        }
    }

    static func stat(_ fd: Int32, path: String) throws(SaveImageError) -> Status {
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else {
            throw SaveImageError(.io, path: path, field: "file", expected: "fstat to succeed",
                                 found: "fstat failed: \(describe(errno))")
        }
        return Status(mode: UInt32(st.st_mode), owner: st.st_uid, group: st.st_gid,
                      size: st.st_size < 0 ? 0 : UInt64(st.st_size), device: UInt64(st.st_dev),
                      inode: UInt64(st.st_ino), links: UInt64(st.st_nlink))
    }

    static func describe(_ error: Int32) -> String {
        String(cString: strerror(error)) + " (errno \(error))"
    }
}

extension EditableFile {
    /// Whether anything (even a dangling link) exists at `path` (`lstat`).
    static func exists(_ path: String) -> Bool {
        var st = Glibc.stat()
        return lstat(path, &st) == 0
    }

    /// Whether `path` names the file `file` has open (same device and inode,
    /// not following a link): `convert IN OUT` with OUT another name for IN.
    static func isSameFile(_ path: String, asOpen file: borrowing ImageFile) -> Bool {
        var st = Glibc.stat()
        var open = Glibc.stat()
        guard lstat(path, &st) == 0, fstat(file.descriptor.rawValue, &open) == 0 else { return false }
        return st.st_dev == open.st_dev && st.st_ino == open.st_ino
    }
}
