import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Standard output of a command run without a shell's interpretation of its
/// arguments (each is single-quoted for `popen`), nil when it fails.
enum CommandOutput {
    static func run(_ arguments: [String]) -> String? {
        let quoted = arguments.map { argument in
            "'" + argument.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
        }
        guard let stream = popen(quoted.joined(separator: " ") + " 2>/dev/null", "r") else { return nil }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while output.count < 64 << 20 {
            let count = fread(&buffer, 1, buffer.count, stream)
            if count <= 0 { break }
            output += buffer.prefix(count)  // bounded: at most 64 MiB + 64 KiB
        }
        return pclose(stream) == 0 ? String(decoding: output, as: UTF8.self) : nil
    }
}
