import ArgumentParser
import SaveImage

/// The one place a failed file is reported: the message on standard error
/// and, under `--json`, the file's JSON line (``ErrorReport``) on standard
/// output. Commands that go on with other files call it per file;
/// ``SaveImg/main()`` calls it for a command that failed and exits 2.
enum ErrorExit {
    /// The command running (set once it is parsed), which names itself in
    /// every message: `saveimg ext show: FILE: ...`, as usage errors do.
    nonisolated(unsafe) static var command: ParsableCommand.Type?

    /// `saveimg SUBCOMMAND` (`saveimg ext show`), or `saveimg` before a command is known.
    private static var prefix: String {
        command.map { "saveimg " + CommandLineHints.path(of: $0) } ?? "saveimg"
    }

    /// Prints `saveimg SUBCOMMAND: message` on standard error and, first,
    /// `line` (the failed file's JSON line) on standard output when there is one.
    static func report(_ message: String, line: ErrorReport?) {
        if let line { print((try? jsonLine(line)) ?? #"{"error":{"code":"json","message":"JSON encoding failed"}}"#) }
        print("\(prefix): \(message)", to: &standardError)
    }

    /// Reports a command's failure (``SaveImageError`` or ``CommandFailure``)
    /// and exits with ``ExitStatus/invalid``; returns for any other error.
    static func exitIfFailure(_ error: any Error, command: any ParsableCommand) {
        let json = command as? JSONReporting
        let line: (String) -> ErrorReport?
        let message: String
        switch error {
        case let error as SaveImageError:
            message = error.description
            line = { ErrorReport(file: $0, error: error) }
        case let failure as CommandFailure:
            message = failure.description
            line = { ErrorReport(file: $0, error: ErrorDetail(failure)) }
        default:
            return
        }
        report(message, line: json.flatMap { $0.json ? line($0.reportedFile) : nil })
        SaveImg.exit(withError: ExitCode(ExitStatus.invalid))
    }
}
