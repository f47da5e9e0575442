#if canImport(Glibc)
import Glibc
#endif

/// How much disk a file really uses, for sparse images.
public enum FileAllocation {
    /// `st_blocks * 512` of `path` (nil when it cannot be `stat`ed).
    public static func allocatedBytes(path: String) -> UInt64? {
        var st = stat()
        guard stat(path, &st) == 0, st.st_blocks >= 0 else { return nil }
        let (bytes, overflow) = UInt64(st.st_blocks).multipliedReportingOverflow(by: 512)
        return overflow ? nil : bytes
    }
}
