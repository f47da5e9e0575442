import SystemPackage

/// A `TextOutputStream` writing to standard error: `print(x, to: &standardError)`.
struct StandardErrorStream: TextOutputStream {
    mutating func write(_ string: String) { writeAll(.standardError, Array(string.utf8)) }
}

nonisolated(unsafe) var standardError = StandardErrorStream()

/// Writes raw bytes to standard output unchanged. Only for commands that do
/// not also `print` (stdio buffers would reorder the two).
func writeToStandardOutput(_ bytes: [UInt8]) { writeAll(.standardOutput, bytes) }

/// Writes all of `bytes` (swift-system retries EINTR and short writes); a
/// closed pipe ends the output silently, as for `print`.
private func writeAll(_ descriptor: FileDescriptor, _ bytes: [UInt8]) {
    _ = try? bytes.withUnsafeBytes { try descriptor.writeAll($0) }
}
