#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// What `fstat` / `lstat` says about a file: the one status type of the file layer.
public struct FileStatus: Hashable, Sendable {
    /// `st_mode`: type and permission bits.
    public var mode: UInt32
    public var owner: UInt32
    public var group: UInt32
    /// The apparent size in bytes.
    public var size: UInt64
    /// Bytes the file system has allocated (`st_blocks * 512`): less than
    /// ``size`` for a sparse file.
    public var allocatedBytes: UInt64
    public var device: UInt64
    public var inode: UInt64
    public var links: UInt64

    init(_ st: stat) {
        mode = UInt32(st.st_mode)
        owner = st.st_uid
        group = st.st_gid
        size = st.st_size < 0 ? 0 : UInt64(st.st_size)
        let blocks = st.st_blocks < 0 ? 0 : UInt64(st.st_blocks)
        allocatedBytes = blocks.multipliedReportingOverflow(by: 512).overflow ? UInt64.max : blocks * 512
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        links = UInt64(st.st_nlink)
    }

    /// The status of an open file (`fstat`).
    init(of fd: Int32, path: String) throws(SaveImageError) {
        var st = stat()
        if case .failure(let error) = Syscall.nothingOrErrno({ fstat(fd, &st) }) {
            throw .systemCall("fstat", failedWith: error, path: path, expected: "fstat to succeed")
        }
        self.init(st)
    }

    /// The status of `path` itself, not following a final symbolic link
    /// (`lstat`); nil when nothing is there.
    public init?(ofLink path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        self.init(st)
    }

    /// The status of what `path` names, following symbolic links (`stat`);
    /// the `errno` when it cannot be had.
    static func following(_ path: String) -> Result<FileStatus, Errno> {
        var st = stat()
        return Syscall.nothingOrErrno({ stat(path, &st) }).map { FileStatus(st) }
    }

    /// The status of what `path` names, following symbolic links (`stat`);
    /// nil when it cannot be had.
    public init?(following path: String) {
        guard case .success(let status) = Self.following(path) else { return nil }
        self = status
    }

    /// The permission bits (`mode & 0o7777`).
    public var permissions: UInt32 { mode & 0o7777 }
    public var isRegularFile: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    public var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }

    /// What is in the way of a new output file, in every command's words:
    /// `a directory (OUT names the file to create, not a folder)` or
    /// `an existing file` followed by `refusal`.
    public func outputInTheWay(refusal: String) -> String {
        isDirectory ? "a directory (the output names the file to create, not a folder)" : "an existing file (\(refusal))"
    }
    public var isSymbolicLink: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFLNK) }
    /// A FIFO (`<(cmd)` gives one) or a character device (`/dev/stdin` on a terminal): read once, to its end.
    public var isPipeOrCharacterDevice: Bool {
        mode & UInt32(S_IFMT) == UInt32(S_IFIFO) || mode & UInt32(S_IFMT) == UInt32(S_IFCHR)
    }

    /// "a directory", "a FIFO" ..., for error messages.
    public var kindDescription: String {
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFREG): "a regular file"
        case UInt32(S_IFDIR): "a directory"
        case UInt32(S_IFIFO): "a FIFO"
        case UInt32(S_IFCHR): "a character device"
        case UInt32(S_IFBLK): "a block device"
        case UInt32(S_IFSOCK): "a socket"
        case UInt32(S_IFLNK): "a symbolic link"
        default: "a file of mode \(String(mode, radix: 8))"
        }
    }
}
