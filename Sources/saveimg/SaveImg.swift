import ArgumentParser

/// The `saveimg` command: configuration only; each subcommand lives in
/// `Commands/`.
@main
struct SaveImg: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saveimg",
        abstract: "Inspect, verify and edit libvirt QEMU save images.",
        discussion: """
            Exit codes: 0 success; 1 usage error; 2 an image is invalid (libvirt \
            would refuse to read it) or an operation failed; 3 (verify) an image \
            reads but would fail to restore.

            Examples:
              saveimg inspect /var/lib/libvirt/qemu/save/vm.save
              saveimg scan /var/lib/libvirt/qemu/save
              saveimg help scan
            """,
        version: "0.1.0",
        subcommands: [Inspect.self, DumpXML.self, AddCPUExt.self, Ext.self, Define.self, Edit.self, SetState.self, Convert.self, Check.self, Seal.self, Verify.self, Scan.self, DiffCPU.self])

    /// Runs the command, mapping argument errors to exit code 1 instead of
    /// ArgumentParser's default 64, as the README documents. A usage error
    /// prints a short message and where to find help (not the whole usage),
    /// with a "did you mean" for a mistyped command or option.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: ParsableCommand
        // `help frob` would print the top-level help and succeed.
        if arguments.first == "help", let hint = CommandLineHints.hint(for: arguments) {
            print(hint, to: &standardError)
            Self.exit(withError: ExitCode(ExitStatus.usage))
        }
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
        do {
            try command.run()
        } catch let exit as ExitCode {
            Self.exit(withError: exit)
        } catch let error as ValidationError {
            usageError(error.message, command: type(of: command))
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure || code.rawValue == 64 {
                usageError(message(for: error), command: type(of: command))
            }
            Self.exit(withError: error)
        }
    }

    /// Prints `saveimg CMD: message` and a pointer to the command's help, and exits 1.
    static func usageError(_ message: String, command: ParsableCommand.Type?) -> Never {
        let name = command.map(CommandLineHints.name(of:))
        var text = message
        for prefix in ["Error: ", "error: "] where text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        print("saveimg\(name.map { " " + $0 } ?? ""): \(text)", to: &standardError)
        print("See 'saveimg help\(name.map { " " + $0 } ?? "")'.", to: &standardError)
        Self.exit(withError: ExitCode(ExitStatus.usage))
    }
}
