import ArgumentParser

extension SaveImg {
    /// Parses and runs the command with the exit codes the README documents:
    /// argument errors exit 1 (instead of ArgumentParser's 64) with a short
    /// message, a pointer to the command's help and a "did you mean" for a
    /// mistyped command or option; an image error (``SaveImageError``) or a
    /// ``CommandFailure`` exits 2, reported in one place, ``ErrorExit``.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // `help frob` would print the top-level help and succeed.
        if arguments.first == "help", let hint = CommandLineHints.hint(for: arguments) {
            print(hint, to: &standardError)
            Self.exit(withError: ExitCode(ExitStatus.usage))
        }
        do {
            if try FastPath.run(arguments) { return }
        } catch {
            ErrorExit.exitIfFailure(error, command: Inspect())
            Self.exit(withError: error)
        }
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error)
            if code == .success { Self.exit(withError: error) }  // --help, --version
            if let hint = CommandLineHints.hint(for: arguments) {
                print(hint, to: &standardError)
                Self.exit(withError: ExitCode(ExitStatus.usage))
            }
            usageError(message(for: error), command: CommandLineHints.subcommand(in: arguments))
        }
        ErrorExit.command = type(of: command)
        do {
            try command.run()
        } catch {
            ErrorExit.exitIfFailure(error, command: command)
            if let exit = error as? ExitCode { Self.exit(withError: exit) }
            if let validation = error as? ValidationError { usageError(validation.message, command: type(of: command)) }
            let code = exitCode(for: error)
            if code == .validationFailure || code.rawValue == 64 {
                usageError(message(for: error), command: type(of: command))
            }
            Self.exit(withError: error)
        }
    }

    /// Prints `saveimg CMD: message` and a pointer to the command's help, and exits 1.
    static func usageError(_ message: String, command: ParsableCommand.Type?) -> Never {
        let name = command.map(CommandLineHints.path(of:))
        var text = message
        for prefix in ["Error: ", "error: "] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        text = oneLine(text)
        print("saveimg\(name.map { " " + $0 } ?? ""): \(text)", to: &standardError)
        print("See 'saveimg help\(name.map { " " + $0 } ?? "")'.", to: &standardError)
        Self.exit(withError: ExitCode(ExitStatus.usage))
    }

    /// ArgumentParser's message for a value outside an enumerated set lists the
    /// values one per line; says it in one line, as every other usage error:
    /// `--format must be one of raw, gzip, ... (got 'rar')`.
    static func oneLine(_ message: String) -> String {
        let pattern = #/The value '(?<value>[^']*)' is invalid for '(?<option>-[^' ]+)[^']*'\. Please provide one of the following:\s*(?<values>(?:\s*- [^\n]+)+)/#
        guard let match = message.firstMatch(of: pattern) else { return message }
        let values = match.output.values.split(separator: "\n").map {
            $0.drop(while: { $0 == " " }).dropFirst(2)
        }
        return "\(match.output.option) must be one of \(values.joined(separator: ", ")) (got '\(match.output.value)')"
    }
}
