import ArgumentParser
import FoundationEssentials
import SaveImage

extension SaveImg {
    /// `saveimg scan DIR...`: every save image under directories, one line each.
    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find every save image under directories and report each in one line.",
            discussion: """
                Walks the directories recursively (symbolic links to directories are not \
                followed) and reads the metadata of every file whose first 16 bytes start with \
                LibvirtQemud; other files in a directory are skipped quietly (a file named on the \
                command line that is not a save image is an error), broken images are reported with \
                the error, and a line that is not ok ends with its first reason. Files are read in parallel; lines come out in path order as results \
                arrive, so memory does not grow with the number of files.

                Columns: VERDICT (ok, warning, cannot_tell, restore_fails, invalid, unreadable), STATE (what \
                restore resumes to: running or paused), FORMAT (stream compression), SIZE, DOMAIN, \
                CPU DELTA (features the cookie CPU adds to the domain CPU; see diff-cpu), FILE.

                Examples:
                  saveimg scan /var/lib/libvirt/qemu/save
                  saveimg scan --problems /srv/saves /var/lib/libvirt/qemu/save
                  saveimg scan --json /srv/saves | jq -r 'select(.verdict != "ok") | .file'

                With --json: one JSON object per line; {"type":"image",...} for each save \
                image and a final {"type":"summary",...}.

                The verdict is verify's for the target: --target-libvirt (default: the libvirt \
                installed on this machine, else 9.0.0; standard error says which), --capabilities, \
                --domcapabilities.

                Exit status: 0 every image restores; 2 an image is invalid or a file or \
                directory could not be read; 3 an image reads but would fail to restore; 4 \
                cannot tell for an image (a check libvirt makes was not made: see verify).
                """)

        @Argument(help: ArgumentHelp("Directories (or files) to scan.", valueName: "PATH"), completion: .directory)
        var paths: [String]

        @Flag(help: "Print JSON lines: one object per image, then a summary object.")
        var json = false

        @Flag(help: "List only images whose verdict is not ok (the summary counts all).")
        var problems = false

        @Option(help: ArgumentHelp("Colour: auto (a terminal without NO_COLOR), always or never.", valueName: "WHEN"))
        var color: ColorChoice = .auto

        @Option(name: .shortAndLong, help: ArgumentHelp("Files read at the same time (default: the number of CPUs).", valueName: "N"))
        var jobs: Int?

        @Flag(help: "Add when QEMU will refuse each image's machine type (QEMU's 3/6-year rule) and whether the target marks it deprecated.")
        var forecast = false

        @OptionGroup(title: "Target (as for verify)") var target: TargetOptions

        func validate() throws {
            if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs must be between 1 and 256") }
        }

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let (verifier, how) = try target.verifier()
            Verbosity.inform("saveimg scan: judging against \(verifier.targetDescription) (from \(how))")
            let printer = ScanPrinter(json: json, problemsOnly: problems, style: TextStyle(json ? .never : color))
            printer.start()
            forEachInOrder(DirectoryWalker(roots: paths),
                           workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount, window: 256,
                           work: { [forecast, paths] in
                               Self.scan($0, verifier: verifier, forecast: forecast, named: paths) }, deliver: printer.print)
            let summary = printer.finish()
            if summary.invalid > 0 || summary.unreadable > 0 { throw ExitCode(ExitStatus.invalid) }
            if summary.restoreFails > 0 { throw ExitCode(ExitStatus.wouldFail) }
            if summary.cannotTell > 0 { throw ExitCode(ExitStatus.cannotTell) }
        }

        /// One walk entry to a result: nil for files found in a directory that are not save images; a file
        /// `named` on the command line that is not one is invalid (an error, exit 2), not skipped.
        @Sendable static func scan(_ entry: DirectoryWalker.Entry, verifier: RestoreVerifier, forecast: Bool = false,
                                   named: [String] = []) -> ScanRecord? {
            switch entry {
            case .file(let path, let size):
                if let record = ScanRecord.scanning(path: path, size: size, verifier: verifier, forecast: forecast) {
                    return record
                }
                guard named.contains(path) else { return nil }
                var record = ScanRecord(path: path, size: size, verdict: .invalid,
                                        error: SaveImageError(.badMagic, path: path, offset: 0, field: "magic",
                                                              expected: "LibvirtQemudSave (a save image)",
                                                              found: "other bytes (not a save image)"))
                record.allocatedBytes = nil
                return record
            case .unreadable(let path, let reason):
                // A path that is not there: inspect's words for it (one message for one problem).
                if FileStatus(ofLink: path) == nil {
                    do throws(SaveImageError) { _ = try SaveImage.open(path, recovery: .readOnly) } catch {
                        return ScanRecord(path: path, size: nil, verdict: .unreadable, error: error)
                    }
                }
                return ScanRecord(path: path, size: nil, verdict: .unreadable,
                                  error: SaveImageError(.io, path: path, field: "path", expected: "a readable directory or file",
                                                        found: reason))
            case .notDescended:
                return nil  // scan walks without a depth limit
            }
        }
    }
}
