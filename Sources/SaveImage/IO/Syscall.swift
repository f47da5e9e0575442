#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// The one thin layer between the file code and the system calls that
/// swift-system's `FileDescriptor` does not wrap (`fstat`, `fsync`, `flock`,
/// `ftruncate`, `copy_file_range` ...), in the style of swift-system's
/// internal `valueOrErrno` / `nothingOrErrno`: `EINTR` is retried here and
/// nowhere else, and a failure comes back as an `Errno`, never as a global
/// `errno` read later.
enum Syscall {
    /// Runs `call` (a C function returning -1 and setting `errno` on failure),
    /// retrying while it fails with `EINTR`.
    static func valueOrErrno<Value: FixedWidthInteger>(_ call: () -> Value) -> Result<Value, Errno> {
        while true {
            let value = call()
            if value != -1 { return .success(value) }
            let error = Errno(rawValue: errno)
            if error != .interrupted { return .failure(error) }
        }
    }

    /// Like ``valueOrErrno(_:)`` for calls whose only result is success.
    static func nothingOrErrno<Value: FixedWidthInteger>(_ call: () -> Value) -> Result<Void, Errno> {
        valueOrErrno(call).map { _ in () }
    }

    /// `message (errno N)`, as every saveimg error shows a failed call.
    static func describe(_ error: Errno) -> String {
        String(cString: strerror(error.rawValue)) + " (errno \(error.rawValue))"
    }

    /// `errno` right now, for C calls that report failure another way
    /// (a NULL pointer from `opendir`).
    static var currentErrno: Errno { Errno(rawValue: errno) }
}

extension SaveImageError {
    /// A failed system call on `path`: "`call` failed: message (errno N)".
    static func systemCall(
        _ call: String, failedWith error: Errno, path: String, offset: UInt64? = nil, field: String = "file",
        expected: String, note: String = ""
    ) -> SaveImageError {
        SaveImageError(.io, path: path, offset: offset, field: field, expected: expected,
                       found: "\(call) failed: \(Syscall.describe(error))\(note)")
    }
}
