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

    /// Runs `edit` on `file` with these options and prints what was (or would
    /// be) done; a failure is thrown to the one error exit (exit code 2).
    func run(_ file: String, _ edit: (SaveImage) throws -> ImageContent) throws {
        let result = try ImageEditor(path: file, output: output, dryRun: dryRun).run(edit)
        let report = EditReport(result: result, dryRun: dryRun)
        if json { try printJSONLine(report.json) } else { print(report.text) }
    }
}
