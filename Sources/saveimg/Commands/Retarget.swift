import ArgumentParser
import FoundationEssentials
import SaveImage

extension SaveImg {
    /// `saveimg retarget FILE --target-libvirt VERSION ...`: apply the safe fixes for a target.
    struct Retarget: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite a save image so that it restores on a target libvirt, or say why no rewrite can.",
            discussion: """
                Verifies FILE against the target (as `saveimg verify` with the same options), then \
                applies only safe rewrites: the stream converted to a format the target restores \
                (zstd -> gzip, sparse -> raw; --format to choose, e.g. --format sparse for a libvirt \
                >= 11.2 that restores it in parallel), and QEMU's updated CPU moved from the domain XML \
                into the cookie (with --original-cpu, as add-cpu-ext --from-domain). What no rewrite \
                fixes is refused with the reason: a machine type the target's QEMU lacks, a RAM size \
                or CPU model change (guest ABI), XML the target cannot parse, a damaged stream. The \
                output is then verified against the same target. All rewrites go into one output, \
                written crash-safely (a temporary file renamed into place, or the in-place journal \
                when only the CPU moves); FILE is left alone with --output, and after a failure \
                FILE is as it was. An existing --output file is not overwritten.

                Examples:
                  saveimg retarget vm.save --target host.json --output vm-new.save
                  saveimg retarget vm.save --target-libvirt 11.3 --format sparse \\
                    --output vm-sparse.save
                  saveimg retarget vm.save --target-libvirt 7.0 --dry-run

                Exit status: 0 the output restores on the target (or, with --dry-run, a plan exists); \
                1 usage error (e.g. --format names a format the target cannot restore); 2 FILE is \
                unreadable or invalid, or a rewrite failed (FILE unchanged); 3 refused: no rewrite \
                fixes it; 4 cannot tell: a check \
                libvirt makes was not made (give --target host.json).
                """)

        @Argument(help: ArgumentHelp("Save image file.", valueName: "FILE"), completion: .file())
        var file: String?

        @OptionGroup var source: ImageSource

        @OptionGroup var target: TargetOptions

        @Option(help: ArgumentHelp("Stream format to write (raw, gzip, bzip2, xz, lzop, zstd, sparse); default: what the target needs.",
                                   valueName: "FORMAT"))
        var format: String?

        @Option(name: .customLong("original-cpu"),
                help: ArgumentHelp("The CPU as defined (for moving QEMU's updated CPU into the cookie).", valueName: "FILE"),
                completion: .file())
        var originalCPU: String?

        @Option(help: ArgumentHelp("Write the result to NEW and leave FILE alone.", valueName: "NEW"), completion: .file())
        var output: String?

        @Flag(help: "Show the plan and write nothing.")
        var dryRun = false

        @Flag(help: "Print JSON.")
        var json = false

        @OptionGroup var verbosity: QuietOption

        /// `retarget --json` (schema `$defs/retarget`).
        struct Report: Encodable {
            var file: String
            /// The file written (or, with --dry-run, that would be); nil when nothing is (to be) written.
            var output: String?
            var dryRun: Bool
            /// `refused`, `nothing_to_do`, `planned`, `written`, `failed`.
            var outcome: String
            var target: VerifyReport.Target
            var plan: [String]
            var refusals: [FindingReport]
            /// FILE's verdict for the target, before any rewrite, and its reasons.
            var verdictBefore: Severity
            var findingsBefore: [FindingReport]
            /// The output's verdict (nil unless written).
            var verdictAfter: Severity?
            var findingsAfter: [FindingReport]?
            /// Whether FILE's bytes changed (only a written in-place retarget changes them).
            var fileChanged: Bool
            var error: ErrorDetail?
        }

        func run() throws {
            let file = try source.path(self.file)
            let (verifier, how) = try target.verifier()
            let requested: CompressionFormat? = try format.map { name in
                guard let value = CompressionFormat(name: name) else {
                    throw ValidationError("--format must be one of raw, gzip, bzip2, xz, lzop, zstd, sparse (got '\(name)')")
                }
                // A format the target cannot restore is a wrong request, not a property of the image.
                if !verifier.profile.canRestore(format: value) {
                    throw ValidationError("--format \(name): \(verifier.profile.name) does not restore \(name) images"
                        + (ReaderProfile.firstRelease(restoring: value).map { " (libvirt does from \($0))" } ?? ""))
                }
                return value
            }
            let originalElement = try originalCPU.map { path -> XMLElement in
                do { return try XMLParser.parse(try VerifyInputs.bytes(path), name: "original CPU", path: path) } catch let error as SaveImageError {
                    throw ValidationError("--original-cpu: \(error)")
                }
            }
            let targetReport = VerifyReport.Target(verifier: verifier, host: target.hostKind, replacementXML: nil)
            let retargeter = Retargeter(verifier: verifier, format: requested, originalCPU: originalElement, output: output,
                                        dryRun: dryRun)
            let result: Retargeter.Result
            do {
                result = try retargeter.run(path: file)
            } catch {
                // FILE unreadable (its verdict says why), or a write failed: nothing changed.
                let verdict = verifier.verify(path: file)
                let unreadable = verdict.readError != nil
                try emit(Report(file: file, output: nil, dryRun: dryRun, outcome: unreadable ? "refused" : "failed",
                                target: targetReport, plan: [], refusals: unreadable ? verdict.reasons.map(FindingReport.init) : [],
                                verdictBefore: verdict.outcome.severity, findingsBefore: verdict.reasons.map(FindingReport.init),
                                fileChanged: false, error: ErrorDetail(error)),
                         how: how, description: verifier.targetDescription)
                throw ExitCode(ExitStatus.invalid)  // unreadable or a failed write: 2, as verify and every command
            }
            let plan = result.plan
            var report = Report(file: file, output: result.outcome == .planned ? (output ?? file) : result.destination,
                                dryRun: dryRun, outcome: result.outcome.rawValue, target: targetReport,
                                plan: plan.steps.map(RetargetPlan.describe), refusals: plan.refusals.map(FindingReport.init),
                                verdictBefore: plan.verdict.outcome.severity,
                                findingsBefore: plan.verdict.reasons.map(FindingReport.init), fileChanged: result.inputChanged)
            if let after = result.after {
                report.verdictAfter = after.outcome.severity
                report.findingsAfter = after.reasons.map(FindingReport.init)
            }
            try emit(report, how: how, description: verifier.targetDescription)
            switch result.outcome {
            case .refused:
                // An invalid image is 2 (as verify); one that reads but no rewrite fixes is 3.
                throw ExitCode(ExitStatus.forOutcome(plan.verdict.outcome) == ExitStatus.invalid ? ExitStatus.invalid : ExitStatus.wouldFail)
            case .nothingToDo, .planned:
                // Nothing to rewrite is not "it restores there" when a check was not made.
                if plan.steps.isEmpty, plan.verdict.outcome == .cannotTell { throw ExitCode(ExitStatus.cannotTell) }
            case .written:
                if let after = result.after, ExitStatus.forOutcome(after.outcome) != ExitStatus.success {
                    throw ExitCode(ExitStatus.forOutcome(after.outcome))
                }
            }
        }

        func emit(_ report: Report, how: String, description: String) throws {
            if json { print(try jsonLine(report)); return }
            var lines = ["\(report.file): target \(description) (from \(how))"]
            if !report.refusals.isEmpty {
                lines.append("  refused: no rewrite makes it restore there")
                for reason in report.refusals {
                    lines.append("  \(reason.severity.rawValue) [\(reason.code)] \(reason.message)")
                    if let message = reason.libvirtMessage { lines.append("    libvirt: \(message)") }
                    if let hint = reason.hint { lines.append("    hint: \(hint)") }
                }
                print(lines.joined(separator: "\n"))
                return
            }
            if report.plan.isEmpty, report.error == nil {
                if report.verdictBefore == .cannotTell {
                    lines.append("  nothing to rewrite, but cannot tell whether it restores there: a check was not made")
                    for reason in report.findingsBefore where reason.severity == .cannotTell {
                        lines.append("  cannot_tell [\(reason.code)] \(reason.message)")
                        if let hint = reason.hint { lines.append("    hint: \(hint)") }
                    }
                } else {
                    lines.append("  nothing to do: it restores there as it is (\(report.verdictBefore))")
                }
            }
            let verb = dryRun ? "would" : report.error == nil ? "did" : "planned"
            for step in report.plan { lines.append("  \(verb): \(step)") }
            if let error = report.error {
                lines.append("  failed, nothing written (\(report.file) unchanged): \(error.message)")
            }
            if let output = report.output, let after = report.verdictAfter {
                lines.append("  wrote \(output); verified against the target: \(after)")
                for reason in report.findingsAfter ?? [] where reason.severity != .info {
                    lines.append("  \(reason.severity.rawValue) [\(reason.code)] \(reason.message)")
                }
            }
            print(lines.joined(separator: "\n"))
        }
    }
}
