import Foundation
import Testing

/// The one CLI error exit: every command given an image libvirt refuses to
/// read exits 2 and prints the error once, `saveimg: FILE: offset ...`; under
/// `--json` the same error is the file's JSON line, valid against the schema.
@Suite struct ErrorExitTests {
    /// A command line run on `file`, and the schema definition of its `--json` line.
    struct Command: CustomStringConvertible, Sendable {
        var arguments: @Sendable (_ file: String, _ directory: String) -> [String]
        var definition: String
        var name: String
        var description: String { name }
    }

    static let commands: [Command] = [
        Command(arguments: { file, directory in ["inspect", file] }, definition: "inspect", name: "inspect"),
        Command(arguments: { file, directory in ["check", file] }, definition: "check", name: "check"),
        Command(arguments: { file, directory in ["check", "--deep", file] }, definition: "check", name: "check --deep"),
        Command(arguments: { file, directory in ["diff-cpu", file] }, definition: "diff_cpu", name: "diff-cpu"),
        Command(arguments: { file, directory in ["set-state", "--paused", file] }, definition: "edit", name: "set-state"),
        Command(arguments: { file, directory in ["add-cpu-ext", file, "--cpu", directory + "/cpu.xml"] }, definition: "edit", name: "add-cpu-ext"),
        Command(arguments: { file, directory in ["define", file, directory + "/domain.xml"] }, definition: "edit", name: "define"),
        Command(arguments: { file, directory in ["ext", "add", file, directory + "/note.xml"] }, definition: "edit", name: "ext add"),
        Command(arguments: { file, directory in ["ext", "remove", file, "1"] }, definition: "edit", name: "ext remove"),
        Command(arguments: { file, directory in ["ext", "list", file] }, definition: "ext_list", name: "ext list"),
        Command(arguments: { file, directory in ["ext", "show", file, "1"] }, definition: "ext_show", name: "ext show"),
        Command(arguments: { file, directory in ["convert", file, directory + "/out.sav", "--format", "gzip"] }, definition: "convert", name: "convert"),
        Command(arguments: { file, directory in ["seal", file] }, definition: "seal", name: "seal"),
        Command(arguments: { file, directory in ["dumpxml", file] }, definition: "", name: "dumpxml"),
    ]

    @Test(arguments: commands)
    func anInvalidImageExitsTwoWithOneMessage(_ command: Command) throws {
        let broken = try ModifiedImage("westmere-raw.sav") { $0.setWord(0, at: 20) }
        let directory = broken.directory.path
        _ = try broken.directory.write("cpu.xml", Array(EditCommandLineTests.updatedCPU.utf8))
        _ = try broken.directory.write("domain.xml", try Fixtures.bytes("domain-westmere.xml"))
        _ = try broken.directory.write("note.xml", Array("<note/>".utf8))
        let arguments = command.arguments(broken.path, directory)

        let text = try CLI.run(arguments)
        #expect(text.status == 2, "\(text.stderr)")
        let lines = text.stderr.split(separator: "\n")
        let words = arguments.prefix { !$0.hasPrefix("-") && !$0.hasPrefix("/") }.joined(separator: " ")
        #expect(lines == ["saveimg \(words): \(broken.path): offset 20: data_len: expected a non-zero length, found 0 "
                          + "(libvirt: invalid header data length: 0)"], "\(text.stderr)")
        #expect(text.stdout.isEmpty)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: broken.path))) == broken.bytes)

        guard !command.definition.isEmpty else { return }
        var jsonArguments = arguments
        jsonArguments.insert("--json", at: command.name.hasPrefix("ext ") ? 2 : 1)
        let json = try CLI.run(jsonArguments)
        #expect(json.status == 2)
        #expect(json.stderr == text.stderr)
        let line = try #require(try JSONSchema.validate(json, command.definition).first)
        #expect(line["file"] as? String == broken.path)
        let error = try #require(line["error"] as? [String: Any])
        #expect(error["code"] as? String == "invalid_data_length")
        #expect(error["offset"] as? Int == 20)
        #expect(error["field"] as? String == "data_len")
    }

    /// Grep-able: one place in the command's sources prints an error, as
    /// `saveimg SUBCOMMAND: ...` (the command names itself, as usage errors do).
    @Test func onePlacePrintsErrors() throws {
        let sources = URL(fileURLWithPath: JSONSchema.repository + "/Sources/saveimg")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)?.allObjects as? [String])
        var printing: [String] = []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            if text.contains("print(\"saveimg: ") || text.contains("print(\"\\(prefix): ") { printing.append(file) }
        }
        #expect(printing == ["Errors/ErrorExit.swift"])
    }
}
