import ArgumentParser
import SaveImage
#if canImport(Glibc)
import Glibc
#endif

/// Why a small input file could not be read: strerror's text, or the size limit.
struct InputFileError: Error {
    var reason: String
}

/// Reads a small input file (a CPU or domain XML, an extension document),
/// or standard input for `-`; exits with code 2 and a message when it cannot.
func readInputFile(_ path: String, limit: Int = 16 * 1024 * 1024) throws -> [UInt8] {
    do {
        return try readSmallFile(path, limit: limit)
    } catch {
        print("saveimg: \(path): \(error.reason)", to: &standardError)
        throw ExitCode(ExitStatus.invalid)
    }
}

/// A small file's bytes (`-`: standard input), or why not (with errno's text).
func readSmallFile(_ path: String, limit: Int = 16 * 1024 * 1024) throws(InputFileError) -> [UInt8] {
    let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw InputFileError(reason: "cannot open: \(String(cString: strerror(errno)))") }
    defer { if fd != 0 { _ = close(fd) } }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if got < 0, errno == EINTR { continue }
        guard got >= 0 else { throw InputFileError(reason: "read failed: \(String(cString: strerror(errno)))") }
        if got == 0 { break }
        bytes += buffer[0..<got]
        if bytes.count > limit { throw InputFileError(reason: "larger than \(limit) bytes") }
    }
    return bytes
}
