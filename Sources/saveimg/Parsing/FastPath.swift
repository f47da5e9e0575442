import ArgumentParser
import SaveImage

/// The invocations scripts run most (`saveimg inspect FILE...`, `--json`, and
/// `saveimg --version`), recognised by hand before ArgumentParser is asked.
///
/// ArgumentParser's root parse builds the whole command tree and names each
/// command with `String(describing:)`, whose dynamic casts scan every
/// protocol conformance record in the binary (measured with perf: about 35%
/// of `saveimg inspect`'s CPU time, more than reading and parsing the image).
/// These forms take none of its options, so the result is the same command
/// run with the same values (ArgumentParser's own parse of even the one
/// subcommand builds its option sets by reflection: half of inspect's CPU
/// time with the target options); anything else (`--help`, `-h`, `--`, an unknown
/// option, no file) goes to ArgumentParser as before.
enum FastPath {
    /// Runs `arguments` (without the program name) if it is one of the fast
    /// forms; returns false to let ArgumentParser parse it.
    static func run(_ arguments: [String]) throws -> Bool {
        if arguments == ["--version"], let version = Optional(SaveImg.configuration.version), !version.isEmpty {
            print(version)
            return true
        }
        guard arguments.first == "inspect", arguments.count >= 2 else { return false }
        var files: [String] = []
        var json = false
        for argument in arguments.dropFirst() {
            if argument == "--json" { json = true; continue }
            if argument.hasPrefix("-") { return false }
            files.append(argument)
        }
        guard !files.isEmpty else { return false }
        ErrorExit.command = SaveImg.Inspect.self
        // Every other option at its default: the target is what `TargetOptions` gives with none given.
        let (verifier, how) = try TargetOptions.defaultVerifier()
        try SaveImg.Inspect.inspect(files, json: json, verifier: verifier, how: how) { (path) throws(SaveImageError) in
            try SaveImage.open(path, recovery: .rollBack)
        }
        return true
    }
}
