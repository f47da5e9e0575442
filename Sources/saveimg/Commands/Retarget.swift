import ArgumentParser
import FoundationEssentials
import SaveImage

extension SaveImg {
    /// `saveimg retarget FILE --target-libvirt V ...`: apply the safe fixes for a target.
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
                output is then verified against the same target. Every write is crash-safe (a \
                temporary file renamed into place); FILE is left alone with --output.

                Examples:
                  saveimg retarget vm.save --target-libvirt 9.0 --capabilities caps.xml --domcapabilities domcaps.xml --output vm-9.save
                  saveimg retarget vm.save --target-libvirt 11.3 --format sparse --output vm-sparse.save
                  saveimg retarget vm.save --target-libvirt 7.0 --dry-run

                Exit status: 0 the output restores on the target (or, with --dry-run, a plan exists); \
                1 usage error; 2 a rewrite failed (FILE unchanged); 3 refused: no rewrite fixes it; \
                4 cannot tell: a check libvirt makes was not made (give --target host.json).
                """)

        @Argument(help: "Save image file.", completion: .file())
        var file: String

        @OptionGroup var target: TargetOptions

        @Option(help: "Stream format to write (raw, gzip, bzip2, xz, lzop, zstd, sparse); default: what the target needs.")
        var format: String?

        @Option(name: .customLong("original-cpu"), help: "The CPU as defined (for moving QEMU's updated CPU into the cookie).",
                completion: .file())
        var originalCPU: String?

        @Option(help: ArgumentHelp("Write the result to NEW and leave FILE alone.", valueName: "NEW"), completion: .file())
        var output: String?

        @Flag(help: "Show the plan and write nothing.")
        var dryRun = false

        @Flag(help: "Print JSON.")
        var json = false

        struct Report: Encodable {
            var file: String
            var target: String
            var output: String?
            var plan: [String]
            var refusals: [FindingReport]
            var verdict: Severity
            var findings: [FindingReport]
            var error: String?
        }

        func run() throws {
            let (verifier, how) = try target.verifier()
            let requested: CompressionFormat? = try format.map { name in
                guard let value = CompressionFormat(name: name) else {
                    throw ValidationError("--format must be one of raw, gzip, bzip2, xz, lzop, zstd, sparse (got '\(name)')")
                }
                return value
            }
            let originalElement = try originalCPU.map { path -> XMLElement in
                do { return try XMLParser.parse(try VerifyInputs.bytes(path), name: "original CPU", path: path) } catch let error as SaveImageError {
                    throw ValidationError("--original-cpu: \(error)")
                }
            }
            let image: SaveImage
            do { image = try SaveImage(contentsOf: file) } catch {
                let verdict = verifier.verify(path: file)
                try emit(Report(file: file, target: verifier.targetDescription, output: nil, plan: [],
                                refusals: verdict.reasons.map(FindingReport.init), verdict: verdict.outcome.severity,
                                findings: verdict.reasons.map(FindingReport.init)),
                         how: how)
                throw ExitCode(ExitStatus.wouldFail)
            }
            let plan = RetargetPlan.make(for: image, verifier: verifier, format: requested,
                                         haveOriginalCPU: originalElement != nil)
            var report = Report(file: file, target: verifier.targetDescription, output: output ?? file,
                                plan: plan.steps.map(RetargetPlan.describe), refusals: plan.refusals.map(FindingReport.init),
                                verdict: plan.verdict.outcome.severity, findings: plan.verdict.reasons.map(FindingReport.init))
            if !plan.refusals.isEmpty {
                report.output = nil
                try emit(report, how: how)
                throw ExitCode(ExitStatus.wouldFail)
            }
            if dryRun || plan.steps.isEmpty {
                if !dryRun { report.output = nil }
                try emit(report, how: how)
                // Nothing to rewrite is not "it restores there" when a check was not made.
                if plan.steps.isEmpty, plan.verdict.outcome == .cannotTell { throw ExitCode(ExitStatus.cannotTell) }
                return
            }
            let destination = output ?? file
            do {
                var current = file
                for step in plan.steps {
                    switch step {
                    case .moveCPUToCookie:
                        guard let originalElement else { continue }
                        let editor = ImageEditor(path: current, output: current == file && output != nil ? destination : nil)
                        _ = try editor.run { try $0.movingDomainCPUToCookie(originalCPU: originalElement) }
                        current = destination
                    case .convert(_, let to):
                        _ = try SaveImageConverter.convert(input: current, output: destination,
                                                           request: ConversionRequest(format: to))
                        current = destination
                    }
                }
            } catch let error as SaveImageError {
                report.error = "\(error)"
                report.output = nil
                try emit(report, how: how)
                throw ExitCode(ExitStatus.invalid)
            }
            let after = RetargetPlan.verifyOutput(path: destination, verifier: verifier)  // decoded whole: device state and stream checked
            report.verdict = after.outcome.severity
            report.findings = after.reasons.map(FindingReport.init)
            try emit(report, how: how)
            let status = ExitStatus.forOutcome(after.outcome)
            if status != ExitStatus.success { throw ExitCode(status) }
        }

        func emit(_ report: Report, how: String) throws {
            if json { print(try jsonLine(report)); return }
            var lines = ["\(report.file): target \(report.target) (from \(how))"]
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
            if report.plan.isEmpty {
                if report.verdict == .cannotTell {
                    lines.append("  nothing to rewrite, but cannot tell whether it restores there: a check was not made")
                    for reason in report.findings where reason.severity == .cannotTell {
                        lines.append("  cannot_tell [\(reason.code)] \(reason.message)")
                        if let hint = reason.hint { lines.append("    hint: \(hint)") }
                    }
                } else {
                    lines.append("  nothing to do: it restores there as it is (\(report.verdict))")
                }
            }
            let verb = dryRun ? "would" : report.error == nil ? "did" : "planned"
            for step in report.plan { lines.append("  \(verb): \(step)") }
            if let error = report.error { lines.append("  failed (\(file) unchanged): \(error)") }
            if !dryRun, report.error == nil, !report.plan.isEmpty, let output = report.output {
                lines.append("  wrote \(output); verified against the target: \(report.verdict)")
                for reason in report.findings where reason.severity != .info {
                    lines.append("  \(reason.severity.rawValue) [\(reason.code)] \(reason.message)")
                }
            }
            print(lines.joined(separator: "\n"))
        }
    }
}
