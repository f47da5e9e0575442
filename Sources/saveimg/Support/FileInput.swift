import ArgumentParser
import SaveImage

/// Reads a small input file (a CPU or domain XML, an extension document),
/// or standard input for `-`; exits with code 2 and a message when it cannot.
func readInputFile(_ path: String, limit: Int = 16 * 1024 * 1024) throws -> [UInt8] {
    do {
        return path == "-" ? try StandardInput.contents(limit: limit) : try PositionalFile.contents(of: path, limit: limit)
    } catch {
        print("saveimg: \(error)", to: &standardError)
        throw ExitCode(ExitStatus.invalid)
    }
}
