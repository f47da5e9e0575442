import ArgumentParser

/// Suggestions for mistyped subcommands and options ("did you mean"), found
/// by edit distance among the names saveimg knows.
enum CommandLineHints {
    /// The subcommand named in `arguments` (after the program name), if any.
    static func subcommand(in arguments: [String]) -> ParsableCommand.Type? {
        var commands = SaveImg.configuration.subcommands
        var found: ParsableCommand.Type?
        for argument in arguments where !argument.hasPrefix("-") {
            guard let next = commands.first(where: { $0.configuration.commandName == argument || name(of: $0) == argument }) else { break }
            found = next
            commands = next.configuration.subcommands
        }
        return found
    }

    static func name(of command: ParsableCommand.Type) -> String {
        command.configuration.commandName ?? String(describing: command).lowercased()
    }

    /// The command's words after `saveimg`: `ext show` for a nested command, as a user types it.
    static func path(of command: ParsableCommand.Type) -> String {
        func search(_ commands: [ParsableCommand.Type], _ prefix: [String]) -> [String]? {
            for candidate in commands {
                let words = prefix + [name(of: candidate)]
                if candidate == command { return words }
                if let found = search(candidate.configuration.subcommands, words) { return found }
            }
            return nil
        }
        return search(SaveImg.configuration.subcommands, [])?.joined(separator: " ") ?? name(of: command)
    }

    /// The closest of `candidates` to `word` (within a third of its length, at least 2 edits), or nil.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let limit = max(2, word.count / 3)
        let ranked = candidates.map { ($0, distance(word, $0)) }.filter { $0.1 <= limit }.sorted { $0.1 < $1.1 }
        if let prefixed = candidates.first(where: { $0.hasPrefix(word) && word.count >= 3 }), ranked.first.map({ $0.1 > 1 }) ?? true {
            return prefixed
        }
        return ranked.first?.0
    }

    /// The long options a command's help lists.
    static func longOptions(of command: ParsableCommand.Type) -> [String] {
        let help = command.helpMessage(columns: 400)
        var options: Set<String> = ["--help", "--version"]
        var word = ""
        for character in help + " " {
            if character.isLetter || character.isNumber || character == "-" { word.append(character); continue }
            if word.hasPrefix("--"), word.count > 2 { options.insert(word) }
            word = ""
        }
        return options.sorted()
    }

    /// "did you mean" lines for the arguments of a failed parse: an unknown
    /// subcommand, `help` of an unknown subcommand, or an unknown long option.
    static func hint(for arguments: [String]) -> String? {
        // ArgumentParser's own entry points (shell completion) are not checked.
        if arguments.contains(where: { $0.hasPrefix("---") || $0 == "--generate-completion-script" }) { return nil }
        let names = SaveImg.configuration.subcommands.map(name(of:))
        if let first = arguments.first, !first.hasPrefix("-") {
            if first == "help", arguments.count > 1, !names.contains(arguments[1]) {
                return unknownSubcommand(arguments[1], names)
            }
            if first != "help", !names.contains(first) { return unknownSubcommand(first, names) }
        }
        guard let command = subcommand(in: arguments) else { return nil }
        // A group such as `ext` followed by a word that is none of its subcommands.
        let group = command.configuration.subcommands.map(name(of:))
        if !group.isEmpty, let position = arguments.firstIndex(of: name(of: command)),
           let word = arguments[(position + 1)...].first(where: { !$0.hasPrefix("-") }), !group.contains(word) {
            let suggestion = closest(to: word, in: group).map { "; did you mean '\($0)'?" } ?? ""
            return "saveimg \(path(of: command)): '\(word)' is not one of its commands (\(group.joined(separator: ", ")))"
                + "\(suggestion)\nSee 'saveimg help \(path(of: command))'."
        }
        let known = longOptions(of: command)
        for argument in arguments {
            if argument == "--" { break }
            guard argument.hasPrefix("--") else { continue }
            let option = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            if known.contains(option) { continue }
            let suggestion = closest(to: option, in: known).map { "; did you mean '\($0)'?" } ?? ""
            return "saveimg \(path(of: command)): unknown option '\(option)'\(suggestion)\n"
                + "See 'saveimg help \(path(of: command))'."
        }
        return nil
    }

    static func unknownSubcommand(_ word: String, _ names: [String]) -> String {
        let suggestion = closest(to: word, in: names).map { "; did you mean '\($0)'?" } ?? ""
        return "saveimg: '\(word)' is not a saveimg command\(suggestion)\nSee 'saveimg --help' for the commands."
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
