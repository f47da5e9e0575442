import SaveImage

/// The one reader of small input files (a CPU or domain XML, an extension
/// document, capabilities), standard input for `-`, or a pipe named by a
/// path (`define FILE <(cmd)`, `/dev/stdin`): at most `limit` bytes.
func readInputBytes(_ path: String, limit: Int = 16 * 1024 * 1024) throws(SaveImageError) -> [UInt8] {
    if path == "-" { return try StandardInput.contents(limit: limit) }
    if FileStatus(following: path)?.isPipeOrCharacterDevice == true {
        return try StandardInput.contents(ofPipe: path, limit: limit)
    }
    return try PositionalFile.contents(of: path, limit: limit)
}

/// ``readInputBytes(_:limit:)`` for a command's arguments: throws a
/// ``CommandFailure`` (exit code 2) when it cannot.
func readInputFile(_ path: String, limit: Int = 16 * 1024 * 1024) throws -> [UInt8] {
    do {
        return try readInputBytes(path, limit: limit)
    } catch {
        throw CommandFailure(code: .inputUnreadable, path: path,
                             message: "\(error.field): expected \(error.expected), found \(error.found)")
    }
}
