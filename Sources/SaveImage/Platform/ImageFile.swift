#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A save image file opened for reading: the only place the reader touches
/// the operating system. Reads are positional (`pread`), so reading the
/// metadata never reads the stream.
public struct ImageFile: ~Copyable {
    /// The path as given.
    public let path: String
    /// The file's size in bytes when it was opened.
    public let size: UInt64
    let descriptor: FileDescriptor

    /// Opens `path` read-only. Refuses anything but a regular file, so a
    /// FIFO, a device such as `/dev/zero` or a directory never blocks or
    /// floods the reader.
    public init(openingForReading path: String) throws(SaveImageError) {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(FilePath(path), .readOnly, options: [.closeOnExec, .nonBlocking])
        } catch {
            throw SaveImageError(.io, path: path, field: "file", expected: "a readable file",
                                 found: "open failed: \(error)")
        }
        let info: FileStatus
        do { info = try FileStatus(of: fd, path: path) } catch { _ = try? fd.close(); throw error }
        guard info.isRegularFile else {
            _ = try? fd.close()
            throw SaveImageError(.notRegularFile, path: path, field: "file", expected: "a regular file",
                                 found: info.kindDescription)
        }
        self.path = path
        self.size = info.size
        self.descriptor = fd
    }

    deinit { _ = try? descriptor.close() }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    public func read(at offset: UInt64, count: Int) throws(SaveImageError) -> [UInt8] {
        guard count > 0, offset < size else { return [] }
        let wanted = Int(min(UInt64(count), size - offset))
        var buffer = [UInt8](repeating: 0, count: wanted)
        var filled = 0
        while filled < wanted {
            let got: Int
            do {
                got = try buffer.withUnsafeMutableBytes { raw in
                    try descriptor.read(
                        fromAbsoluteOffset: Int64(offset) + Int64(filled),
                        into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
                }
            } catch {
                throw SaveImageError(.io, path: path, offset: offset + UInt64(filled), field: "file",
                                     expected: "\(wanted) readable bytes", found: "read failed: \(error)")
            }
            if got == 0 { break }
            filled += got
        }
        if filled < wanted { buffer.removeLast(wanted - filled) }
        return buffer
    }
}

/// What `fstat` says about an open file.
struct FileStatus {
    var mode: UInt32
    var size: UInt64
    var owner: UInt32
    var group: UInt32

    init(of fd: FileDescriptor, path: String) throws(SaveImageError) {
        var st = stat()
        guard fstat(fd.rawValue, &st) == 0 else {
            throw SaveImageError(.io, path: path, field: "file", expected: "fstat to succeed",
                                 found: String(describing: Errno(rawValue: errno)))
        }
        mode = UInt32(st.st_mode)
        size = st.st_size < 0 ? 0 : UInt64(st.st_size)
        owner = st.st_uid
        group = st.st_gid
    }

    var isRegularFile: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }

    var kindDescription: String {
        switch mode & UInt32(S_IFMT) {
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
