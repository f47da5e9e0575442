#if canImport(Glibc)
import Glibc
#endif

/// A `TextOutputStream` writing to standard error: `print(x, to: &standardError)`.
struct StandardErrorStream: TextOutputStream {
    mutating func write(_ string: String) { writeAll(fd: 2, Array(string.utf8)) }
}

nonisolated(unsafe) var standardError = StandardErrorStream()

/// Writes raw bytes to standard output unchanged. Only for commands that do
/// not also `print` (stdio buffers would reorder the two).
func writeToStandardOutput(_ bytes: [UInt8]) { writeAll(fd: 1, bytes) }

private func writeAll(fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
