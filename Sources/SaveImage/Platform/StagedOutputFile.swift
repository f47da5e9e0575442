#if canImport(Glibc)
import Glibc
#endif
import CSaveImageShims

/// A file written sequentially beside its destination and renamed over it
/// only when complete: created `O_EXCL` with mode 0600 in the destination's
/// directory, removed on failure, on deinit before ``commit(mode:owner:group:)``
/// and (through a signal handler) on SIGINT, SIGTERM or SIGHUP. So a failed
/// or interrupted write never leaves a partial destination, and the
/// destination may be the input file itself.
public final class StagedOutputFile {
    /// Where the file goes.
    public let destination: String
    /// The temporary file's path.
    public let temporaryPath: String
    private var fd: Int32
    private var committed = false
    /// Bytes written so far.
    public private(set) var length: UInt64 = 0

    /// Creates `.<name>.saveimg-convert-<pid>` in the destination's directory.
    public init(destination: String) throws(SaveImageError) {
        self.destination = destination
        let slash = destination.lastIndex(of: "/")
        let directory = slash.map { String(destination[..<$0]) } ?? "."
        let name = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        var candidate = ""
        var opened: Int32 = -1
        for attempt in 0..<100 where opened < 0 {
            candidate = (directory.isEmpty ? "" : directory + "/") + ".\(name).saveimg-convert-\(getpid())-\(attempt)"
            opened = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if opened < 0 && errno != EEXIST { break }
        }
        guard opened >= 0 else {
            throw SaveImageError(.io, path: destination, field: "output", expected: "a temporary file in \(directory)",
                                 found: "open failed: \(String(cString: strerror(errno)))")
        }
        fd = opened
        temporaryPath = candidate
        _ = saveimg_cleanup_arm(candidate)
    }

    deinit {
        if fd >= 0 { close(fd) }
        if !committed {
            saveimg_cleanup_disarm()
            unlink(temporaryPath)
        }
    }

    /// Appends `bytes`.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(SaveImageError) {
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress.unsafelyUnwrapped + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw SaveImageError(.io, path: destination, offset: length, field: "output",
                                     expected: "\(bytes.count - offset) more bytes written",
                                     found: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
            length += UInt64(written)
        }
    }

    /// Gives the file `mode` (permission bits) and, where it differs and is
    /// permitted, `owner`/`group`; fsyncs it; renames it over the destination;
    /// fsyncs the directory.
    public func commit(mode: UInt32, owner: UInt32?, group: UInt32?) throws(SaveImageError) {
        if let owner, let group, owner != geteuid() || group != getegid() {
            if fchown(fd, owner, group) != 0 && errno != EPERM {
                throw failure("fchown", "the input's owner \(owner):\(group)")
            }
        }
        guard fchmod(fd, mode_t(mode & 0o7777)) == 0 else { throw failure("fchmod", "mode \(String(mode & 0o7777, radix: 8))") }
        guard fsync(fd) == 0 else { throw failure("fsync", "the data on disk") }
        guard close(fd) == 0 else { fd = -1; throw failure("close", "the file closed") }
        fd = -1
        guard rename(temporaryPath, destination) == 0 else { throw failure("rename", "\(temporaryPath) renamed") }
        committed = true
        saveimg_cleanup_disarm()
        let slash = destination.lastIndex(of: "/")
        let directory = slash.map { String(destination[..<$0]) } ?? "."
        let dirFD = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            defer { close(dirFD) }
            guard fsync(dirFD) == 0 else { throw failure("fsync", "the directory synced (the rename is done)") }
        }
    }

    private func failure(_ call: String, _ expected: String) -> SaveImageError {
        SaveImageError(.io, path: destination, field: "output", expected: expected,
                       found: "\(call) failed: \(String(cString: strerror(errno)))")
    }
}
