import ArgumentParser
import Foundation
import Testing
@testable import saveimg

/// The README's tables say what the binary does: its exit codes are `ExitStatus`'s and each command's
/// help agrees with them; every option the command and virsh tables name exists in that command's help.
@Suite struct ReadmeMatchesHelpTests {
    static let readme: String = (try? String(contentsOfFile: Fixtures.testdata + "/../README.md", encoding: .utf8)) ?? ""

    /// The rows of the first table after `heading`, split into cells (`\|` stays inside a cell).
    static func table(after heading: String) -> [[String]] {
        guard let start = readme.firstRange(of: heading) else { return [] }
        let lines = readme[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        var rows: [[String]] = []
        var inTable = false
        for line in lines {
            if line.hasPrefix("|") {
                inTable = true
                let cells = line.replacingOccurrences(of: "\\|", with: "\u{0}").split(separator: "|", omittingEmptySubsequences: false)
                    .dropFirst().dropLast()
                    .map { $0.replacingOccurrences(of: "\u{0}", with: "|").trimmingCharacters(in: .whitespaces) }
                if !cells.allSatisfy({ $0.allSatisfy { "-:".contains($0) } }) { rows.append(cells) }
            } else if inTable {
                break
            }
        }
        return Array(rows.dropFirst())  // the header row
    }

    static func help(_ path: String) -> String? {
        HelpLintTests.commands().first { $0.0 == path }.map { HelpLintTests.help($0.1, columns: 200) }
    }

    /// `--name` and `-x` options in `text`, but not those the text says are absent ("no `--json`").
    static func options(in text: String) -> Set<String> {
        var found: Set<String> = []
        for match in text.matches(of: #/(?<option>--[a-z][a-z0-9-]*|-[A-Za-z0-9])(?![\w-])/#) {
            let before = text[..<match.range.lowerBound]
            if let last = before.last, last.isLetter || last.isNumber || last == "-" || last == "_" { continue }
            if before.hasSuffix("no `") { continue }
            found.insert(String(match.output.option))
        }
        return found
    }

    /// The options in the backticked spans of `text`, each with the command it belongs to (nil: the row's
    /// own command, `own`): a span that starts with another command (`ext list --json`, `saveimg inspect
    /// --json`) names that command's options; with `carry`, later spans too (`define FILE XML --running` /
    /// `--paused`). An option the text says is absent ("no `--json`") is left out.
    static func namedOptions(in text: String, own: [String], carry: Bool) -> [(String?, String)] {
        var current: String?
        var result: [(String?, String)] = []
        for match in text.matches(of: #/`(?<code>[^`]+)`/#) {
            if text[..<match.range.lowerBound].hasSuffix("no ") { continue }
            let span = String(match.output.code)
            var words = span.split(separator: " ").map(String.init)
            if words.first == "saveimg" { words.removeFirst() }
            var command = carry ? current : nil
            if let first = words.first, !first.hasPrefix("-"), help(first) != nil {
                let named = words.count > 1 && help("\(first) \(words[1])") != nil ? "\(first) \(words[1])" : first
                let isOwn = own.contains(named) || own.contains { $0.hasPrefix(named + " ") }
                command = isOwn ? nil : named
                current = command
            }
            result += options(in: span).map { (command, $0) }
        }
        return result
    }

    static func hasOption(_ option: String, in help: String) -> Bool {
        options(in: help).contains(option)
    }

    // MARK: - Exit codes

    @Test func exitCodeTableIsExitStatus() throws {
        let rows = Self.table(after: "### Exit codes")
        let codes = rows.compactMap { Int32($0[0]) }
        #expect(codes == [ExitStatus.success, ExitStatus.usage, ExitStatus.invalid, ExitStatus.wouldFail, ExitStatus.cannotTell],
                "README exit codes \(codes)")
        // The top-level help names every code of the table.
        let top = SaveImg.helpMessage(columns: 200)
        for code in codes { #expect(top.contains("; \(code) ") || top.contains(": \(code) "), "saveimg --help lacks exit code \(code)") }
    }

    /// A command whose help documents exit code 3 or 4 is named in that row of the README's table.
    @Test func commandsThatExit3Or4AreInTheTable() throws {
        let rows = Self.table(after: "### Exit codes")
        for (name, command) in HelpLintTests.commands() where command.configuration.subcommands.isEmpty {
            let help = HelpLintTests.help(command, columns: 2000)
            guard let status = help.firstRange(of: "Exit status") else { continue }
            let paragraph = help[status.lowerBound...].prefix { $0 != "\n" }
            for code in [3, 4] where paragraph.contains("; \(code) ") {
                let row = try #require(rows.first { $0[0] == "\(code)" })
                #expect(row[1].contains("`\(name)`"), "\(name) exits \(code) but the README's row \(code) does not name it")
            }
        }
    }

    // MARK: - Options

    /// Every option a row of the command table names exists in that command's help.
    @Test func commandTableOptionsExist() throws {
        let rows = Self.table(after: "## Commands")
        #expect(rows.count >= 17)
        var named: Set<String> = []
        for row in rows {
            let match = try #require(row[0].firstMatch(of: #/`saveimg (?<name>[a-z-]+)(?: (?<sub>[a-z|\\]+))?/#), "\(row[0])")
            let name = String(match.output.name)
            let subs = match.output.sub.map { $0.replacingOccurrences(of: "\\", with: "").split(separator: "|").map { "\(name) \($0)" } }
            let paths = subs ?? [name]
            named.formUnion(paths)
            let help = paths.compactMap(Self.help).joined(separator: "\n")
            #expect(!help.isEmpty, "README names saveimg \(paths) that the binary does not have")
            for (command, option) in Self.namedOptions(in: row[0] + " " + row[1], own: paths, carry: false) {
                let help = command.map { Self.help($0) ?? "" } ?? help
                #expect(Self.hasOption(option, in: help), "README's row for saveimg \(name) names \(command ?? name) \(option); --help has no such option")
            }
        }
        // And every command of the binary has a row.
        for (name, command) in HelpLintTests.commands() where command.configuration.subcommands.isEmpty {
            #expect(named.contains(name), "saveimg \(name) has no row in the README's command table")
        }
    }

    /// The saveimg column of the virsh table: each `command --option` exists.
    @Test func virshTableOptionsExist() throws {
        let rows = Self.table(after: "### virsh options and their saveimg spelling")
        #expect(rows.count >= 15)
        for row in rows {
            for (command, option) in Self.namedOptions(in: row[1], own: [], carry: true) {
                guard let command, let help = Self.help(command) else { continue }
                #expect(Self.hasOption(option, in: help), "README's virsh table: saveimg \(command) \(option) does not exist")
            }
        }
    }

    @Test func theOptionParserSeesAbsences() {
        #expect(Self.options(in: "`--all [-0]` (bytes, no `--json`)") == ["--all", "-0"])
    }
}
