import ArgumentParser

/// `-q/--quiet`, shared by every command (as virsh's and qemu-img's): no informational lines on standard
/// error (the target `scan` judges against, progress bars, the walk `seal` prints); results on standard
/// output, warnings and errors are printed as without it.
struct QuietOption: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print no informational lines on standard error (progress, which target is judged against); results, warnings and errors still print.")
    var quiet = false

    /// ArgumentParser validates every option group of the command it parsed, once, before `run()`: the one
    /// place the flag reaches the process-wide ``Verbosity``.
    func validate() throws {
        if quiet { Verbosity.quiet = true }
    }
}

/// Whether informational lines go to standard error (off with `--quiet`).
enum Verbosity {
    nonisolated(unsafe) static var quiet = false

    /// Prints an informational line on standard error unless `--quiet`.
    static func inform(_ line: String) {
        if !quiet { print(line, to: &standardError) }
    }
}
