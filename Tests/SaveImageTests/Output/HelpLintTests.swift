import ArgumentParser
import Testing
@testable import saveimg

/// Every subcommand's `--help` (nested ones too) as a person reads it in an 80-column terminal, rendered
/// in-process from the CLI's command tree: examples that can be copy-pasted, no repository paths, one
/// style of value names.
@Suite struct HelpLintTests {
    /// Every command in the tree, depth first, with its path (`ext list`).
    static func commands(_ root: any ParsableCommand.Type = SaveImg.self, path: [String] = []) -> [(String, any ParsableCommand.Type)] {
        var result: [(String, any ParsableCommand.Type)] = []
        for sub in root.configuration.subcommands {
            let name = sub.configuration.commandName ?? sub._commandName
            let subPath = path + [name]
            result.append((subPath.joined(separator: " "), sub))
            result += commands(sub, path: subPath)
        }
        return result
    }

    static func help(_ command: any ParsableCommand.Type, columns: Int = 80) -> String {
        SaveImg.helpMessage(for: command, columns: columns)
    }

    /// The offences of one help text, each as `line N: why: text`.
    static func offences(in help: String) -> [String] {
        var found: [String] = []
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var inExamples = false
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if line.hasPrefix("Examples:") { inExamples = true; continue }
            if inExamples {
                if line.isEmpty { inExamples = false; continue }
                // An example line starts with two spaces; a line at column 0 inside the block is a wrapped example.
                if !line.hasPrefix("  ") {
                    found.append("line \(number): example wrapped to column 0 (keep it on one line or continue with \\): \(line)")
                }
            }
            for path in ["FORMAT.md", "DESIGN.md", "README.md", "EXPORT.md", "Sources/", "Tests/", "schema/", "scripts/"]
            where line.contains(path) {
                found.append("line \(number): repository path \(path): \(line)")
            }
        }
        for name in valueNames(in: help) where name.wholeMatch(of: #/[A-Z][A-Z0-9_]*/#) == nil {
            found.append("value name <\(name)> is not UPPER-CASE (<FILE>, <DIR>, <N>)")
        }
        return Array(Set(found)).sorted()
    }

    /// The value names a help text shows: in the USAGE line and at the start of each ARGUMENTS / OPTIONS
    /// entry (`  <FILE>`, `  --output <NEW>`, `  -j, --jobs <N>`); `<cpu>` in the prose is XML, not a value name.
    static func valueNames(in help: String) -> Set<String> {
        var names: Set<String> = []
        for line in help.split(separator: "\n").map(String.init) {
            if line.hasPrefix("USAGE:") {
                for match in line.matches(of: #/<(?<name>[^<>\s]+)>/#) { names.insert(String(match.output.name)) }
            } else if let match = line.wholeMatch(of: #/  (?:-[A-Za-z0-9], )?(?:--[a-z0-9-]+ )?<(?<name>[^<>\s]+)>(?: \.\.\.)?(?:\s.*)?/#) {
                names.insert(String(match.output.name))
            }
        }
        // ArgumentParser's own placeholders.
        names.remove("subcommand")
        names.remove("options")
        return names
    }

    @Test func theTreeHasEveryCommand() {
        let names = Self.commands().map(\.0)
        for expected in ["inspect", "ext list", "ext remove", "define", "convert", "check", "verify", "retarget", "scan", "target capture"] {
            #expect(names.contains(expected), "\(expected) missing from \(names)")
        }
    }

    @Test(arguments: commands().map(\.0))
    func helpAt80Columns(_ name: String) throws {
        let command = try #require(Self.commands().first { $0.0 == name }?.1)
        let help = Self.help(command)
        let offences = Self.offences(in: help)
        #expect(offences.isEmpty, "saveimg \(name) --help at 80 columns:\n\(offences.joined(separator: "\n"))")
    }

    /// `--force` meant three things; each now has its own name, and the old one is hidden.
    @Test func eachOverrideHasItsOwnName() {
        let expected: [(any ParsableCommand.Type, String)] = [
            (SaveImg.Define.self, "--allow-abi-change"), (SaveImg.Edit.self, "--allow-abi-change"),
            (SaveImg.AddCPUExt.self, "--allow-model-change"), (SaveImg.Convert.self, "--overwrite"),
        ]
        for (command, flag) in expected {
            let help = Self.help(command)
            #expect(help.contains(flag), "\(command) --help lacks \(flag)")
        }
        for (name, command) in Self.commands() {
            #expect(!Self.help(command).contains("--force"), "saveimg \(name) --help still shows --force")
        }
    }

    /// `-q/--quiet` on every command that runs.
    @Test func everyCommandTakesQuiet() {
        for (name, command) in Self.commands() where command.configuration.subcommands.isEmpty {
            #expect(Self.help(command).contains("-q, --quiet"), "saveimg \(name) --help has no -q, --quiet")
        }
    }

    @Test func topLevelHelpAt80Columns() {
        let offences = Self.offences(in: SaveImg.helpMessage(columns: 80))
        #expect(offences.isEmpty, "saveimg --help at 80 columns:\n\(offences.joined(separator: "\n"))")
    }

    @Test func theLintSeesAWrappedExample() {
        let help = "OVERVIEW: x\n\nExamples:\n  saveimg define vm.save\nvm.xml\n\nUSAGE: saveimg x <file> [--format <FORMAT>]\n"
        let offences = Self.offences(in: help)
        #expect(offences.contains { $0.contains("wrapped") })
        #expect(offences.contains { $0.contains("<file>") })
        #expect(Self.valueNames(in: "  --cpu <CPU_XML>    The updated <cpu> element.\n") == ["CPU_XML"])
        #expect(!offences.contains { $0.contains("<FORMAT>") })
        #expect(Self.offences(in: "see FORMAT.md\n").count == 1)
    }
}
