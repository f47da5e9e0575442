import ArgumentParser

extension SaveImg {
    /// Parses and runs the command with the exit codes the README documents:
    /// argument errors exit 1 (instead of ArgumentParser's 64), and an image
    /// error (``SaveImageError``) or a ``CommandFailure`` exits 2, reported in
    /// one place, ``ErrorExit``.
    static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            finish(error)
        }
        do {
            try command.run()
        } catch {
            ErrorExit.exitIfFailure(error, command: command)
            finish(error)
        }
    }

    /// Exits for an error that is not an image's: an `ExitCode` as thrown,
    /// usage errors with 1.
    private static func finish(_ error: any Error) -> Never {
        if let exit = error as? ExitCode { Self.exit(withError: exit) }
        let code = exitCode(for: error)
        if code == .validationFailure || code.rawValue == 64 {
            print(fullMessage(for: error), to: &standardError)
            Self.exit(withError: ExitCode(ExitStatus.usage))
        }
        Self.exit(withError: error)
    }
}
