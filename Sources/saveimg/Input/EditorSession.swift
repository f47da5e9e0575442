import ArgumentParser
import SaveImage
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// A private temporary file (0600, in $TMPDIR or /tmp) opened in the user's
/// editor, as `virsh save-image-edit` does: $VISUAL, else $EDITOR, else vi,
/// run through `sh -c` so an editor with arguments (`code -w`) works. The
/// file is removed by ``remove()``, or when SIGINT, SIGTERM or SIGHUP ends
/// saveimg first (SIGINT and SIGQUIT go to the editor only while it runs).
final class EditorSession {
    let path: String

    /// Creates the file holding `bytes`; exits 2 with a message when it cannot.
    init(_ bytes: [UInt8]) throws {
        var base = "/tmp"
        if let value = getenv("TMPDIR"), value.pointee != 0 { base = String(cString: value) }
        var template = Array((base + "/saveimg-edit-XXXXXX.xml").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemps($0, 4) } ?? -1
        }
        guard fd >= 0 else {
            throw CommandFailure(code: .editorFailed, path: base,
                                 message: "cannot create the temporary file to edit: \(Errno(rawValue: errno))")
        }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress.unsafelyUnwrapped) }
        SignalCleanup.arm(path)
        let file = FileDescriptor(rawValue: fd)
        defer { try? file.close() }
        _ = fchmod(fd, 0o600)
        do {
            _ = try file.writeAll(bytes)  // swift-system retries EINTR and short writes
        } catch {
            remove()
            throw CommandFailure(code: .editorFailed, path: path, message: "cannot write the temporary file to edit: \(error)")
        }
    }

    /// The editor command line: $VISUAL, $EDITOR or vi.
    static var editor: String {
        for name in ["VISUAL", "EDITOR"] {
            if let value = getenv(name), value.pointee != 0 { return String(cString: value) }
        }
        return "vi"
    }

    /// Runs the editor on the file and waits; SIGINT and SIGQUIT go to the
    /// editor only, as with system(3). Returns the exit status (128+N for a signal).
    func edit() throws -> Int32 {
        let editor = Self.editor
        let words: [String] = ["sh", "-c", editor + " \"$1\"", "sh", path]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let oldInt = signal(SIGINT, SIG_IGN), oldQuit = signal(SIGQUIT, SIG_IGN)
        defer { signal(SIGINT, oldInt); signal(SIGQUIT, oldQuit) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGQUIT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let started = posix_spawn(&child, "/bin/sh", nil, &attributes, argv, environ)
        guard started == 0 else {
            throw CommandFailure(code: .editorFailed, path: path,
                                 message: "cannot start the editor '\(editor)': \(Errno(rawValue: started))")
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 {
            guard errno == EINTR else { return 127 }
        }
        let signalNumber = status & 0x7f
        return signalNumber == 0 ? (status >> 8) & 0xff : 128 + signalNumber
    }

    /// The file's bytes now.
    func read() throws -> [UInt8] { try readInputFile(path) }

    func remove() {
        unlink(path)
        SignalCleanup.disarm()
    }
}
