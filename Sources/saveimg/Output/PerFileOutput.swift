import ArgumentParser
import SaveImage

/// The output of a command that reports on several files (`inspect`,
/// `check`): text printed file by file, or JSON collected and printed at the
/// end as one document (``jsonDocument(_:)``). A file that cannot be read is
/// reported on standard error (as an ``ErrorReport`` in JSON); it, or a
/// verdict marked with ``failed``, makes ``finish()`` exit 2 after all files.
struct PerFileOutput {
    let json: Bool
    /// Whether any file failed; ``finish()`` then exits with ``ExitStatus/invalid``.
    var failed = false
    private var reports: [String] = []

    init(json: Bool) { self.json = json }

    /// Reports one file: `value` as JSON, or `text`.
    mutating func report(_ value: some Encodable, text: @autoclosure () -> String) throws {
        if json { reports.append(try jsonString(value)) } else { print(text()) }
    }

    /// Reports a file that could not be read.
    mutating func report(_ error: SaveImageError, path: String) throws {
        failed = true
        if json { reports.append(try jsonString(ErrorReport(path: path, error: error))) }
        else { print("saveimg: \(error)", to: &standardError) }
    }

    /// Prints the collected JSON; throws exit status 2 if any file failed.
    func finish() throws {
        if json { print(jsonDocument(reports)) }
        if failed { throw ExitCode(ExitStatus.invalid) }
    }
}
