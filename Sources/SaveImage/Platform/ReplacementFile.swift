#if canImport(Glibc)
import Glibc
#endif
import CSaveImageShims

/// A new file written beside its destination and renamed over it when
/// complete: created `O_EXCL` with mode 0600 in the destination's directory,
/// removed again unless ``commit()`` succeeds.
public final class ReplacementFile {
    /// The destination path (the original image, or `--output`).
    public let destination: String
    /// The temporary file's path.
    public let temporaryPath: String
    let fd: Int32
    private var committed = false

    /// Creates the temporary file `.<name>.saveimg-<pid>-<n>` in the destination's directory.
    public init(replacing destination: String) throws(SaveImageError) {
        let (directory, name) = Self.split(destination)
        var attempt = 0
        while true {
            let candidate = directory + "/." + name + ".saveimg-\(getpid())-\(attempt)"
            let fd = open(candidate, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            if fd >= 0 {
                self.destination = destination
                self.temporaryPath = candidate
                self.fd = fd
                return
            }
            if errno != EEXIST || attempt > 100 {
                throw SaveImageError(.io, path: candidate, field: "temporary file",
                                     expected: "a new file in \(directory)",
                                     found: "open failed: \(EditableFile.describe(errno))")
            }
            attempt += 1
        }
    }

    deinit {
        _ = close(fd)
        if !committed { _ = unlink(temporaryPath) }
    }

    /// Writes `bytes` at `offset` of the temporary file.
    public func write(_ bytes: [UInt8], at offset: UInt64) throws(SaveImageError) {
        try EditableFile.writeAll(fd: fd, bytes, at: offset, path: temporaryPath)
    }

    /// Sets the temporary file's size (`ftruncate`); unwritten ranges stay holes.
    public func setSize(_ size: UInt64) throws(SaveImageError) {
        if ftruncate(fd, off_t(size)) != 0 {
            throw SaveImageError(.io, path: temporaryPath, field: "temporary file", expected: "size \(size)",
                                 found: "ftruncate failed: \(EditableFile.describe(errno))")
        }
    }

    /// Flushes the temporary file.
    public func sync() throws(SaveImageError) { try EditableFile.sync(fd: fd, path: temporaryPath) }

    /// Gives the temporary file the original's permission bits, owner and
    /// extended attributes.
    ///
    /// The owner is changed only when it differs; if that is not permitted the
    /// edit fails (the original is left alone). Extended attributes in the
    /// `user.` namespace must copy; others (`security.`, `trusted.`,
    /// `system.`) are copied where the kernel allows and skipped otherwise.
    func copyAttributes(from original: EditableFile) throws(SaveImageError) -> [String] {
        var skipped: [String] = []
        let mine = try EditableFile.stat(fd, path: temporaryPath)
        if mine.owner != original.status.owner || mine.group != original.status.group {
            if fchown(fd, original.status.owner, original.status.group) != 0 {
                throw SaveImageError(
                    .io, path: temporaryPath, field: "owner",
                    expected: "owner \(original.status.owner):\(original.status.group) like \(original.path)",
                    found: "fchown failed: \(EditableFile.describe(errno)); the original is unchanged")
            }
        }
        if fchmod(fd, mode_t(original.status.mode & 0o7777)) != 0 {
            throw SaveImageError(.io, path: temporaryPath, field: "mode",
                                 expected: "mode \(String(original.status.mode & 0o7777, radix: 8))",
                                 found: "fchmod failed: \(EditableFile.describe(errno))")
        }
        for name in Self.attributeNames(of: original.fd) {
            guard let value = Self.attribute(name, of: original.fd) else { continue }
            let result = value.withUnsafeBytes { saveimg_fsetxattr(fd, name, $0.baseAddress, $0.count) }
            if result != 0 {
                if name.hasPrefix("user.") {
                    throw SaveImageError(.io, path: temporaryPath, field: "extended attribute \(name)",
                                         expected: "a copy of \(original.path)'s attribute",
                                         found: "fsetxattr failed: \(EditableFile.describe(saveimg_errno()))")
                }
                skipped.append(name)
            }
        }
        return skipped
    }

    /// Renames the temporary file over the destination and syncs the
    /// directory. After a successful rename the destination is the new file
    /// even if the directory sync then fails (the error says so).
    public func commit() throws(SaveImageError) {
        if rename(temporaryPath, destination) != 0 {
            throw SaveImageError(.io, path: destination, field: "file",
                                 expected: "rename of \(temporaryPath) over it",
                                 found: "rename failed: \(EditableFile.describe(errno)); the original is unchanged")
        }
        committed = true
    }

    /// fsyncs the destination's directory, making the rename durable.
    public func syncDirectory() throws(SaveImageError) {
        let (directory, _) = Self.split(destination)
        let dirfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirfd >= 0 else {
            throw SaveImageError(.io, path: directory, field: "directory", expected: "an openable directory",
                                 found: "open failed: \(EditableFile.describe(errno)); the new image is in place")
        }
        defer { _ = close(dirfd) }
        do { try EditableFile.sync(fd: dirfd, path: directory) } catch {
            var error = error
            error.found += "; the new image is in place but the rename may not be durable yet"
            throw error
        }
    }

    /// Directory and file name of a path (`.` when there is no slash).
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    private static func attributeNames(of fd: Int32) -> [String] {
        let size = saveimg_flistxattr(fd, nil, 0)
        guard size > 0 else { return [] }
        var buffer = [CChar](repeating: 0, count: size)
        let got = saveimg_flistxattr(fd, &buffer, size)
        guard got > 0 else { return [] }
        return buffer[0..<got].split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }

    private static func attribute(_ name: String, of fd: Int32) -> [UInt8]? {
        let size = saveimg_fgetxattr(fd, name, nil, 0)
        guard size >= 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: size)
        let got = buffer.withUnsafeMutableBytes { saveimg_fgetxattr(fd, name, $0.baseAddress, size) }
        guard got >= 0 else { return nil }
        return Array(buffer[0..<got])
    }
}
