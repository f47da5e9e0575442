import ArgumentParser
import SaveImage

/// Flags every editing command shares.
struct EditOptions: ParsableArguments {
    @Flag(help: "Show the new layout and write nothing.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Write the result to NEW (which must not exist) and leave FILE alone.",
                                            valueName: "NEW"), completion: .file())
    var output: String?

    @Flag(help: "Print what changed as JSON (one line).")
    var json = false

    @Flag(help: "Also say how it was written: the header words, the bytes written, the stream's copy.")
    var verbose = false

    /// Runs `edit` on `file` with these options and prints what was (or would
    /// be) done; a failure is thrown to the one error exit (exit code 2).
    /// `secrets`, asked after the edit, says what happened to stored secrets
    /// (`define`): in the JSON line's `secrets`, or as text lines after the report.
    func run(_ file: String, secrets: () -> DomainSecrets.Kept? = { nil },
             _ edit: (SaveImage) throws(SaveImageError) -> ImageContent) throws {
        let result = try ImageEditor(path: file, output: output, dryRun: dryRun).run(edit)
        let report = EditReport(result: result, dryRun: dryRun, verbose: verbose)
        let kept = secrets()
        if json {
            var line = report.json
            line.secrets = kept.map(EditReport.JSON.Secrets.init)
            try printJSONLine(line)
        } else {
            print(report.text)
            for note in kept.map({ SecretNotes.lines($0, dryRun: dryRun) }) ?? [] { print(note) }
        }
    }
}
