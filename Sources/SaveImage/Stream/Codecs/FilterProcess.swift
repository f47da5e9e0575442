#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// An external filter program (`lzop -c`, `lzop -dc`) run with pipes on its
/// standard input and output, driven from one thread with `poll(2)`: input
/// is written while output is read, so neither pipe can fill up and stall.
/// Its standard error is kept (the first 4 KiB) for error messages.
///
/// This is how libvirt itself compresses (it pipes QEMU's stream through the
/// program), so the output is exactly what `PROG -dc` reads back.
final class FilterProcess {
    let program: String
    private let pid: pid_t
    private var stdinFD: Int32
    private let stdoutFD: Int32
    private var stderrFD: Int32
    private var errorText: [UInt8] = []
    private var finished = false
    private let buffer = CodecBuffer(capacity: 256 * 1024)

    /// Starts `program` (searched in PATH) with `arguments`.
    init(program: String, arguments: [String]) throws(SaveImageError) {
        self.program = program
        signal(SIGPIPE, SIG_IGN)  // a dead child must surface as EPIPE, not kill us
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            throw SaveImageError(.io, path: "", field: program, expected: "pipes to open",
                                 found: Syscall.describe(Syscall.currentErrno))
        }
        for fd in inPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let status = posix_spawnp(&child, program, &actions, nil, argv, environ)
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard status == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw SaveImageError(.io, path: "", field: program, expected: "the program `\(program)` to start",
                                 found: Syscall.describe(Errno(rawValue: status)))
        }
        pid = child
        stdinFD = inPipe[1]
        stdoutFD = outPipe[0]
        stderrFD = errPipe[0]
        for fd in [stdinFD, stdoutFD, stderrFD] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    deinit {
        if !finished {
            if stdinFD >= 0 { close(stdinFD) }
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
        close(stdoutFD)
        if stderrFD >= 0 { close(stderrFD) }
    }

    /// Writes all of `input` to the program, passing what it prints to `output`.
    func write(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        var offset = 0
        while offset < input.count {
            try pump(output: output, wantWrite: true) { () throws(SaveImageError) in
                switch Syscall.valueOrErrno({ Glibc.write(stdinFD, input.baseAddress.unsafelyUnwrapped + offset, input.count - offset) }) {
                case .success(let written): offset += written
                case .failure(.wouldBlock): return
                case .failure(let error):
                    throw SaveImageError(.io, path: "", field: program, expected: "`\(program)` to read its input",
                                         found: "write failed: \(Syscall.describe(error))\(stderrSuffix)")
                }
            }
        }
    }

    /// Closes the program's input, reads the rest of its output and checks its exit status.
    func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        close(stdinFD)
        stdinFD = -1
        var outputOpen = true
        while outputOpen {
            try pump(output: output, wantWrite: false, onEndOfOutput: { outputOpen = false }) {}
        }
        var status: Int32 = 0
        _ = Syscall.valueOrErrno { waitpid(pid, &status, 0) }
        finished = true
        let exited = (status & 0x7f) == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw SaveImageError(.badStream, path: "", field: "\(program) stream", expected: "`\(program)` to succeed",
                                 found: (exited ? "exit status \(code)" : "killed by signal \(status & 0x7f)") + stderrSuffix)
        }
    }

    private var stderrSuffix: String {
        errorText.isEmpty ? "" : ": " + String(decoding: errorText, as: UTF8.self).trimmingTrailingNewlines
    }

    /// Waits until a pipe is ready, then reads output/stderr and, if writable, calls `write`.
    private func pump(
        output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void, wantWrite: Bool,
        onEndOfOutput: () -> Void = {}, write: () throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        var fds = [pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wantWrite ? stdinFD : -1, events: Int16(POLLOUT), revents: 0)]
        if case .failure(let error) = Syscall.valueOrErrno({ poll(&fds, 3, -1) }) {
            throw SaveImageError(.io, path: "", field: program, expected: "poll to succeed", found: Syscall.describe(error))
        }
        if fds[0].revents != 0 {
            let got = read(stdoutFD, buffer.base, buffer.count)
            if got > 0 { try output(buffer.prefix(got)) } else if got == 0 { onEndOfOutput() }
        }
        if fds[1].revents != 0, stderrFD >= 0 {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let got = read(stderrFD, &chunk, chunk.count)
            if got > 0, errorText.count < 4096 { errorText += chunk.prefix(got) }
            if got == 0 { close(stderrFD); stderrFD = -1 }
        }
        if wantWrite, fds[2].revents != 0 { try write() }
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
