import SaveImage

/// Reads a small input file (a CPU or domain XML, an extension document),
/// or standard input for `-`; throws a ``CommandFailure`` (exit code 2) when it cannot.
func readInputFile(_ path: String, limit: Int = 16 * 1024 * 1024) throws -> [UInt8] {
    do {
        return path == "-" ? try StandardInput.contents(limit: limit) : try PositionalFile.contents(of: path, limit: limit)
    } catch {
        throw CommandFailure(code: .inputUnreadable, path: path,
                             message: "\(error.field): expected \(error.expected), found \(error.found)")
    }
}
