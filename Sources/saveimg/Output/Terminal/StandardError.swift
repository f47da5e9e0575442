import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A `TextOutputStream` writing to standard error: `print(x, to: &standardError)`.
struct StandardErrorStream: TextOutputStream {
    mutating func write(_ string: String) { writeAll(.standardError, Array(string.utf8)) }
}

nonisolated(unsafe) var standardError = StandardErrorStream()

/// Writes a document's bytes to standard output: unchanged into a pipe or
/// file; with control characters escaped (``TerminalSafeText``) when standard
/// output is a terminal. Only for commands that do not also `print` (stdio
/// buffers would reorder the two).
func writeToStandardOutput(_ bytes: [UInt8]) {
    writeAll(.standardOutput, standardOutputIsTerminal ? TerminalSafeText.escapedForTerminal(bytes) : bytes)
}

private let standardOutputIsTerminal = isatty(1) == 1

/// Writes all of `bytes` (swift-system retries EINTR and short writes); a
/// closed pipe ends the output silently, as for `print`.
private func writeAll(_ descriptor: FileDescriptor, _ bytes: [UInt8]) {
    _ = try? bytes.withUnsafeBytes { try descriptor.writeAll($0) }
}
