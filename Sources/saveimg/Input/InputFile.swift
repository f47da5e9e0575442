#if canImport(Glibc)
import Glibc
#endif

/// Reads a small input file (a CPU or domain XML, an extension document),
/// or standard input for `-`; throws a ``CommandFailure`` (exit code 2) when it cannot.
func readInputFile(_ path: String, limit: Int = 16 * 1024 * 1024) throws -> [UInt8] {
    let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        throw CommandFailure(code: .inputUnreadable, path: path, message: "cannot open: \(String(cString: strerror(errno)))")
    }
    defer { if fd != 0 { _ = close(fd) } }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if got < 0, errno == EINTR { continue }
        guard got >= 0 else {
            throw CommandFailure(code: .inputUnreadable, path: path, message: "read failed: \(String(cString: strerror(errno)))")
        }
        if got == 0 { break }
        bytes += buffer[0..<got]
        if bytes.count > limit {
            throw CommandFailure(code: .inputUnreadable, path: path, message: "larger than \(limit) bytes")
        }
    }
    return bytes
}
