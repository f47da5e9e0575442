#if canImport(Glibc)
import Glibc
#endif

extension ImageFile {
    /// Reads `[offset, end of file)` in chunks of `chunkSize` into one reused
    /// buffer, calling `body` with each chunk and the chunk's file offset.
    /// Memory stays at one chunk whatever the file size.
    public func streamChunks(
        from offset: UInt64, chunkSize: Int = 1 << 20,
        _ body: (UnsafeRawBufferPointer, UInt64) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        _ = posix_fadvise(descriptor.rawValue, off_t(offset), 0, POSIX_FADV_SEQUENTIAL)
        let buffer = CodecBuffer(capacity: chunkSize)
        var position = offset
        while position < size {
            let wanted = Int(min(UInt64(chunkSize), size - position))
            let got = pread(descriptor.rawValue, buffer.base, wanted, off_t(position))
            if got < 0 && errno == EINTR { continue }
            guard got >= 0 else {
                throw SaveImageError(.io, path: path, offset: position, field: "stream", expected: "\(wanted) readable bytes",
                                     found: "read failed: \(String(cString: strerror(errno)))")
            }
            if got == 0 { break }
            try body(buffer.prefix(got), position)
            position += UInt64(got)
        }
    }

    /// The file's permission bits, owner and group.
    public func ownership() throws(SaveImageError) -> (mode: UInt32, owner: UInt32, group: UInt32) {
        let status = try FileStatus(of: descriptor, path: path)
        return (status.mode & 0o7777, status.owner, status.group)
    }
}
