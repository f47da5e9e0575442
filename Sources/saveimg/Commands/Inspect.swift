import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg inspect FILE...`: what is in a save image.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a save image's header, domain, CPUs, extension chain and layout.",
            discussion: """
                Reads only the header, the data region and the stream's first bytes: the cost \
                does not grow with the image size. For a sparse (mapped-ram) image it also reads \
                the RAM block headers and bitmaps (one bit per page, never the pages) and shows \
                each block's pages present and holes, the device-state offset and the allocated \
                vs apparent file size.

                Examples:
                  saveimg inspect /var/lib/libvirt/qemu/save/vm.save
                  saveimg inspect --json *.sav

                Findings are verify's for the target: --target-libvirt (default: the libvirt \
                installed on this machine, else 9.0.0; standard error says which), --capabilities, \
                --domcapabilities.

                Exit status: 0 every image is readable by libvirt; 2 at least one is not \
                (each is still reported; the others are inspected).
                """)

        @Argument(help: ArgumentHelp("Save image files.", valueName: "FILE"), completion: .file())
        var files: [String] = []

        @OptionGroup var source: ImageSource

        @Flag(help: "Print JSON lines: one object per image.")
        var json = false

        @OptionGroup(title: "Target (as for verify): the findings are verify's for it")
        var target: TargetOptions

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let (verifier, how) = try target.verifier()
            try Self.inspect(try source.paths(files), json: json, verifier: verifier, how: how, open: source.open)
        }

        /// Inspects `files` with `verifier`'s findings (`how`: where its target came from).
        static func inspect(_ files: [String], json: Bool, verifier: RestoreVerifier, how: String,
                            open: (String) throws(SaveImageError) -> SaveImage) throws {
            var output = PerFileOutput(json: json)
            for path in files {
                do {
                    let image = try open(path)
                    var report = InspectReport(image)
                    let verdict = verifier.verify(image)
                    // The verdict is verify's for the same target: one answer per image and target.
                    report.findings = verdict.reasons.map(FindingReport.init)
                    report.verdict = verdict.outcome.severity
                    if image.effectiveFormat == .sparse {
                        // libvirt reads the image; QEMU fails on a layout it cannot map.
                        do throws(SaveImageError) { report.sparse = SparseImageSummary(try image.stream.mappedRAMLayout()) } catch {
                            // Said once: verify's walk may have reported the same damage.
                            let said = report.findings.contains { ["stream_damaged", "stream_truncated"].contains($0.code) }
                            if !said { report.findings.append(FindingReport(code: "stream_damaged", severity: .restoreFails,
                                                                 message: "the sparse layout cannot be read: \(error.description)",
                                                                 offset: error.offset)) }
                            report.verdict = max(report.verdict, .restoreFails)
                        }
                    }
                    // Which target the findings are for, and where that choice came from (text only).
                    try output.report(report, text: report.text + "\n  findings for \(verifier.targetDescription) (from \(how))")
                } catch let error as SaveImageError {
                    output.report(error, path: path) { line in
                        line.valid = false
                        line.verdict = error.severity
                    }
                }
            }
            try output.finish()
        }
    }
}
