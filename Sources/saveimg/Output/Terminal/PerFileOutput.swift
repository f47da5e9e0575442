import ArgumentParser
import SaveImage

/// The output of a command that reports on several files (`inspect`,
/// `check`, `diff-cpu`): text, or one JSON line per file, printed as each file
/// is done. A file that cannot be read is reported through ``ErrorExit`` (its
/// JSON line holds the error); it, or a result marked with ``failed``, makes
/// ``finish()`` exit 2 after all files.
struct PerFileOutput {
    let json: Bool
    /// Whether any file failed; ``finish()`` then exits with ``ExitStatus/invalid``.
    var failed = false

    init(json: Bool) { self.json = json }

    /// Reports one file: `value` as a JSON line, or `text` (nothing for nil).
    mutating func report(_ value: some Encodable, text: @autoclosure () -> String?) throws {
        if json { try printJSONLine(value) } else if let text = text() { print(text) }
    }

    /// Reports one file: `value` as a JSON line, or `text`, a coloured text
    /// composed by ``TextStyle`` (printed as it is: ``printComposedLine(_:)``).
    mutating func report(_ value: some Encodable, composedText: @autoclosure () -> String?) throws {
        if json { try printJSONLine(value) } else if let text = composedText() { printComposedLine(text) }
    }

    /// Reports a file that could not be read; `line` adds the command's own
    /// keys to the error line (``ErrorReport``).
    mutating func report(_ error: SaveImageError, path: String, line: (inout ErrorReport) -> Void = { _ in }) {
        failed = true
        var report = ErrorReport(file: path, error: error)
        line(&report)
        ErrorExit.report(error.description, line: json ? report : nil)
    }

    /// Throws exit status 2 if any file failed.
    func finish() throws {
        if failed { throw ExitCode(ExitStatus.invalid) }
    }
}
