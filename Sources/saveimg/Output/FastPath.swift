import ArgumentParser

/// The invocations scripts run most (`saveimg inspect FILE...`, `--json`, and
/// `saveimg --version`), recognised by hand before ArgumentParser is asked.
///
/// ArgumentParser's root parse builds the whole command tree and names each
/// command with `String(describing:)`, whose dynamic casts scan every
/// protocol conformance record in the binary (measured with perf: about 35%
/// of `saveimg inspect`'s CPU time, more than reading and parsing the image).
/// These forms take none of its options, so the result is the same command
/// run with the same values; anything else (`--help`, `-h`, `--`, an unknown
/// option, no file) goes to ArgumentParser as before.
enum FastPath {
    /// Runs `arguments` (without the program name) if it is one of the fast
    /// forms; returns false to let ArgumentParser parse it.
    static func run(_ arguments: [String]) throws -> Bool {
        if arguments == ["--version"], let version = Optional(SaveImg.configuration.version), !version.isEmpty {
            print(version)
            return true
        }
        guard arguments.first == "inspect", arguments.count >= 2,
              arguments.dropFirst().allSatisfy({ $0 == "--json" || !$0.hasPrefix("-") }),
              arguments.dropFirst().contains(where: { !$0.hasPrefix("-") })
        else { return false }
        // Parsing the subcommand alone skips the root's tree; its options keep their defaults.
        var command = try SaveImg.Inspect.parse(Array(arguments.dropFirst()))
        try command.run()
        return true
    }
}
