import ArgumentParser
import SaveImage

/// Flags every editing command shares.
struct EditOptions: ParsableArguments {
    @Flag(help: "Show the new layout and write nothing.")
    var dryRun = false

    @Option(name: .long, help: ArgumentHelp("Write the result to NEW (which must not exist) and leave FILE alone.",
                                            valueName: "NEW"), completion: .file())
    var output: String?

    /// Runs `edit` on `file` with these options, prints what was (or would be)
    /// done, and maps failures to exit code 2.
    func run(_ file: String, _ edit: (SaveImage) throws -> ImageContent) throws {
        let editor = ImageEditor(path: file, output: output, dryRun: dryRun)
        let result: ImageEditor.Result
        do {
            result = try editor.run(edit)
        } catch let error as SaveImageError {
            print("saveimg: \(error)", to: &standardError)
            throw ExitCode(ExitStatus.invalid)
        }
        print(EditReport(result: result, dryRun: dryRun).text)
    }
}
