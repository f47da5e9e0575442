#if canImport(Glibc)
import Glibc
#endif
import CSaveImageShims
import SystemPackage

/// A new file written beside its destination and renamed over it when
/// complete: created `O_EXCL` with mode 0600 in the destination's directory,
/// given the original's mode, owner (and extended attributes), fsynced,
/// renamed over the destination, and the directory fsynced. Until
/// ``commit()`` succeeds it is removed again: on deinit and, when asked for,
/// (through a signal handler) on SIGINT, SIGTERM or SIGHUP. So a failed or
/// interrupted write never leaves a partial destination, and the destination
/// may be the input file itself.
///
/// Two writers use it: the editing ``ImageWriter`` (positional writes, the
/// stream copied by ``StreamCopier``, each step separately so tests can
/// inject faults between them) and ``SaveImageConverter`` (sequential
/// ``append(_:)`` and then ``commit(mode:owner:group:)``).
public final class ReplacementFile {
    /// The destination path (the original image, or `--output`).
    public let destination: String
    /// The temporary file's path.
    public let temporaryPath: String
    /// The temporary file (read-write).
    let file: PositionalFile
    /// Its raw descriptor, for ``StreamCopier``.
    var fd: Int32 { file.fd }
    private var committed = false
    private let removesOnSignal: Bool
    /// Bytes appended so far with ``append(_:)`` (where the next one goes).
    public private(set) var length: UInt64 = 0
    /// Where the writeback started by ``append(_:)`` has reached.
    private var writebackStarted: UInt64 = 0
    /// Appended bytes between two writeback starts.
    static let writebackInterval: UInt64 = 8 << 20
    /// The direct-I/O writer of ``append(_:)``, once ``writeAppendsBehind()`` started it.
    private var writeBehind: DirectWriteBehind?

    /// Creates the temporary file `.<name>.<label>-<pid>-<n>` in the destination's directory.
    ///
    /// - Parameters:
    ///   - destination: the file it will replace (or create).
    ///   - label: the name's tag (`saveimg` for edits, `saveimg-convert` for convert).
    ///   - removeOnSignal: also remove the temporary file if SIGINT, SIGTERM or
    ///     SIGHUP ends the process before the commit (one such file per process).
    /// - Throws: `.notRegularFile` when the destination exists and is not a
    ///   regular file: a symbolic link is never replaced (as the editors never
    ///   write through one), nor a directory or device.
    public init(replacing destination: String, label: String = "saveimg", removeOnSignal: Bool = false) throws(SaveImageError) {
        try Self.checkReplaceable(destination)
        // A signal between creating the file and arming its removal would leave it behind:
        // hold the three signals until it is armed (a pending one then removes the file).
        if removeOnSignal { saveimg_cleanup_hold() }
        defer { if removeOnSignal { saveimg_cleanup_release() } }
        let (directory, name) = Self.split(destination)
        var attempt = 0
        while true {
            let candidate = directory + "/." + name + ".\(label)-\(getpid())-\(attempt)"
            if let file = try PositionalFile.createExclusively(candidate, permissions: 0o600, reportedAs: destination) {
                self.destination = destination
                self.temporaryPath = candidate
                self.file = file
                self.removesOnSignal = removeOnSignal
                if removeOnSignal { _ = saveimg_cleanup_arm(candidate) }
                return
            }
            guard attempt < 100 else {
                throw SaveImageError(.io, path: destination, field: "temporary file beside it",
                                     expected: "a new file in \(directory)", found: "100 names in use")
            }
            attempt += 1
        }
    }

    /// Refuses a destination that exists and is not a regular file (`lstat`).
    static func checkReplaceable(_ destination: String) throws(SaveImageError) {
        guard let status = FileStatus(ofLink: destination) else { return }  // absent: created
        guard !status.isRegularFile else { return }
        let found = status.isSymbolicLink
            ? "a symbolic link; saveimg does not replace links, give the real path (readlink -f)"
            : status.isDirectory ? status.outputInTheWay(refusal: "") : "\(status.kindDescription), not a regular file"
        throw SaveImageError(.notRegularFile, path: destination, field: "file",
                             expected: "a regular file or a new path", found: found)
    }

    deinit {
        if !committed {
            if removesOnSignal { saveimg_cleanup_disarm() }
            _ = unlink(temporaryPath)
        }
    }

    /// Writes `bytes` at `offset` of the temporary file.
    public func write(_ bytes: [UInt8], at offset: UInt64) throws(SaveImageError) {
        try file.write(bytes, at: offset)
    }

    /// From now on, ``append(_:)`` hands its bytes to a second thread that
    /// writes them straight to the disk (``DirectWriteBehind``) while the
    /// caller produces the next ones. Call it before the first append; where
    /// the file system does not allow direct I/O nothing changes. Returns
    /// whether the writer started.
    @discardableResult
    public func writeAppendsBehind() -> Bool {
        guard writeBehind == nil, length == 0 else { return writeBehind != nil }
        writeBehind = DirectWriteBehind(path: temporaryPath, buffered: file)
        return writeBehind != nil
    }

    /// Writes `bytes` after the ones appended before (at ``length``).
    public func append(_ bytes: UnsafeRawBufferPointer) throws(SaveImageError) {
        if let writeBehind {
            try writeBehind.append(bytes)
            length += UInt64(bytes.count)
            return
        }
        try file.write(bytes, at: length)
        length += UInt64(bytes.count)
        // Start writing every 8 MiB back to disk while the codec works on the
        // next (sync_file_range, no waiting), so the fsync before the rename
        // finds little left to write. Advisory: a failure here is not an error
        // (the fsync in the commit reports any real one).
        if length - writebackStarted >= Self.writebackInterval {
            _ = saveimg_start_writeback(fd, Int64(writebackStarted), Int64(length - writebackStarted))
            writebackStarted = length
        }
    }

    /// Sets the temporary file's size (`ftruncate`); unwritten ranges stay holes.
    public func setSize(_ size: UInt64) throws(SaveImageError) {
        if case .failure(let error) = Syscall.nothingOrErrno({ ftruncate(fd, off_t(clamping: size)) }) {
            throw .systemCall("ftruncate", failedWith: error, path: destination, field: "temporary file beside it",
                              expected: "size \(size)")
        }
    }

    /// Flushes the temporary file (after the direct-I/O writer, if any, has
    /// written everything appended).
    public func sync() throws(SaveImageError) {
        try writeBehind?.finish()
        try file.sync()
    }

    /// Gives the temporary file the permission bits of `mode` and, where it
    /// differs from the file's, the owner `owner`:`group`.
    ///
    /// - Parameter ownerRequired: when true a failed `fchown` fails the
    ///   write; when false a refusal (`EPERM`, e.g. not root) keeps the
    ///   caller's ownership and other failures still throw.
    func setOwnership(
        mode: UInt32, owner: UInt32, group: UInt32, ownerRequired: Bool, like source: String? = nil
    ) throws(SaveImageError) {
        let mine = try FileStatus(of: fd, path: destination)
        if mine.owner != owner || mine.group != group,
           case .failure(let error) = Syscall.nothingOrErrno({ fchown(fd, owner, group) }),
           ownerRequired || error != .notPermitted {
            throw .systemCall("fchown", failedWith: error, path: destination, field: "new file's owner",
                              expected: "owner \(owner):\(group)" + (source.map { " like \($0)" } ?? ""),
                              note: "; the original is unchanged")
        }
        if case .failure(let error) = Syscall.nothingOrErrno({ fchmod(fd, mode_t(mode & 0o7777)) }) {
            throw .systemCall("fchmod", failedWith: error, path: destination, field: "new file's mode",
                              expected: "mode \(String(mode & 0o7777, radix: 8))")
        }
    }

    /// Gives the temporary file the original's permission bits, owner and
    /// extended attributes; returns the attributes it had to skip.
    ///
    /// The owner is changed only when it differs; if that is not permitted the
    /// edit fails (the original is left alone). Extended attributes in the
    /// `user.` namespace must copy; others (`security.`, `trusted.`,
    /// `system.`) are copied where the kernel allows and skipped otherwise.
    func copyAttributes(from original: PositionalFile) throws(SaveImageError) -> [String] {
        try setOwnership(mode: original.status.mode, owner: original.status.owner, group: original.status.group,
                         ownerRequired: true, like: original.path)
        var skipped: [String] = []
        for name in Self.attributeNames(of: original.fd) {
            guard let value = Self.attribute(name, of: original.fd) else { continue }
            let result = value.withUnsafeBytes { saveimg_fsetxattr(fd, name, $0.baseAddress, $0.count) }
            if result != 0 {
                if name.hasPrefix("user.") {
                    throw SaveImageError(.io, path: destination, field: "new file's extended attribute \(name)",
                                         expected: "a copy of \(original.path)'s attribute",
                                         found: "fsetxattr failed: \(Syscall.describe(Errno(rawValue: saveimg_errno())))")
                }
                skipped.append(name)
            }
        }
        return skipped
    }

    /// Closes the temporary file, reporting a failed `close` (a late write
    /// error on some file systems).
    func close() throws(SaveImageError) { try file.close() }

    /// Renames the temporary file over the destination and syncs the
    /// directory. After a successful rename the destination is the new file
    /// even if the directory sync then fails (the error says so).
    public func commit() throws(SaveImageError) {
        if case .failure(let error) = Syscall.nothingOrErrno({ rename(temporaryPath, destination) }) {
            throw .systemCall("rename", failedWith: error, path: destination,
                              expected: "the new file renamed over it", note: "; the original is unchanged")
        }
        committed = true
        if removesOnSignal { saveimg_cleanup_disarm() }
    }

    /// The whole commit of a file written in one go (convert): the last
    /// appended bytes written; `mode`, and `owner`/`group` where permitted;
    /// fsync; close; rename over the destination; fsync the directory
    /// (skipped if it cannot be opened). The file keeps mode 0600 until every
    /// byte is in it.
    public func commit(mode: UInt32, owner: UInt32, group: UInt32) throws(SaveImageError) {
        try writeBehind?.finish()
        try setOwnership(mode: mode, owner: owner, group: group, ownerRequired: false)
        try sync()
        try close()
        try commit()
        try syncDirectory(skipIfUnopenable: true)
    }

    /// fsyncs the destination's directory, making the rename durable.
    public func syncDirectory() throws(SaveImageError) { try syncDirectory(skipIfUnopenable: false) }

    private func syncDirectory(skipIfUnopenable: Bool) throws(SaveImageError) {
        let (directory, _) = Self.split(destination)
        let directoryFD: FileDescriptor
        do {
            directoryFD = try FileDescriptor.open(FilePath(directory), .readOnly, options: [.directory, .closeOnExec])
        } catch {
            if skipIfUnopenable { return }
            throw .systemCall("open", failedWith: (error as? Errno) ?? .ioError, path: directory, field: "directory",
                              expected: "an openable directory", note: "; the new image is in place")
        }
        defer { _ = try? directoryFD.close() }
        do { try PositionalFile.sync(fd: directoryFD.rawValue, path: directory) } catch {
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
