import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg check FILE... [--deep]`: is the image whole?
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a save image; with --deep, decompress and walk the whole migration stream.",
            discussion: """
                Without --deep, reads the metadata as libvirt does and the stream's first bytes \
                (cheap). With --deep, decompresses the whole stream and walks QEMU's sections to \
                QEMU_VM_EOF and the VM description (RAM page records one by one), reports \
                truncation or garbage with its offset, prints the SHA-256 of the raw stream and, \
                if the image was sealed (`saveimg seal`), verifies it.

                Examples:
                  saveimg check --deep vm.save
                  saveimg check --deep --json *.save

                Exit status: 0 every image is whole; 2 at least one is not (or cannot be read).
                """)

        @Argument(help: ArgumentHelp("Save image files.", valueName: "FILE"), completion: .file())
        var files: [String] = []

        @OptionGroup var source: ImageSource

        @Flag(help: "Decompress and walk the whole stream.")
        var deep = false

        @Flag(name: [.short, .long], help: "With --deep: show a progress bar on standard error (only when it is a terminal).")
        var progress = false

        @Flag(help: "Print JSON lines: one object per image.")
        var json = false

        @OptionGroup var verbosity: QuietOption

        func validate() throws {
            if progress && !deep { throw ValidationError("--progress needs --deep (without it check reads a bounded number of bytes)") }
        }

        func run() throws {
            let files = try source.paths(self.files)
            var output = PerFileOutput(json: json)
            for path in files {
                do {
                    if deep {
                        let bar = progress && !json ? ProgressBar(label: "check --deep") : nil
                        let report: DeepCheckReport
                        if let bar {
                            nonisolated(unsafe) let shared = bar  // drawn from the reading thread only
                            report = try DeepCheck.run(image: try source.open(path)) { done, total in
                                shared.update(done: done, total: total)
                            }
                            bar.finish()
                        } else {
                            report = try DeepCheck.run(image: try source.open(path))
                        }
                        if !report.isValid { output.failed = true }
                        try output.report(CheckReport.Deep(report), text: Self.text(report))
                    } else {
                        let image = try source.open(path)
                        // Every O(1) check verify makes of the file itself (format, stream start, stream end).
                        let problems = RestoreVerifier.wholenessReasons(image).map(FindingReport.init)
                        if !problems.isEmpty { output.failed = true }
                        let prelude = image.streamPrelude
                        let stream = "stream \(image.streamSignature.name)" + (prelude?.machineType.map { ", machine \($0)" } ?? "")
                        let line = problems.isEmpty
                            ? "\(path): metadata OK; \(stream)"
                            : (["\(path): DAMAGED; \(stream)"] + problems.map { "  problem       \($0.message)" }).joined(separator: "\n")
                        try output.report(CheckReport.Shallow(file: path, ok: problems.isEmpty,
                                                              stream: .init(kind: image.streamSignature.name,
                                                                            machineType: prelude?.machineType),
                                                              findings: problems),
                                          text: line)
                    }
                } catch let error as SaveImageError {
                    output.report(error, path: path) { $0.ok = false }
                }
            }
            try output.finish()
        }

        /// What a passing walk of an unsealed image cannot prove.
        static let unsealedNote = "not proven: the walk checks the stream's structure, not the bytes inside each page; "
            + "only a seal proves them (`saveimg seal FILE` once, then `check --deep` compares)"

        static func text(_ report: DeepCheckReport) -> String {
            let summary = report.stream
            var lines = ["\(report.path): " + (report.isValid ? "OK" : "DAMAGED")]
            lines.append("  format        \(report.format), \(report.streamBytes) bytes at \(report.streamOffset)")
            lines.append("  raw stream    \(report.rawStreamBytes) bytes, sha256 \(report.sha256)")
            lines.append("  guest state   " + (report.stateSha256.map { "sha256 \($0)" } ?? "no digest (damaged, or pages out of order)"))
            if let sparse = report.sparse {
                lines.append("  sparse        \(sparse.pagesPresent) pages present, \(sparse.holes) holes; device state at \(sparse.deviceStateOffset); "
                    + "\(sparse.apparentBytes) bytes apparent, \(sparse.allocatedBytes.map(String.init) ?? "?") allocated")
                for block in sparse.blocks {
                    if block.skipped == true {
                        lines.append("    \(block.name): \(block.size) bytes, skipped under x-ignore-shared (its pages are in shared memory, not in the image)")
                        continue
                    }
                    lines.append("    \(block.name): \(block.size) bytes, \(block.pagesPresent) pages present, \(block.holes) holes, "
                        + "bitmap at \(block.bitmapOffset), pages at \(block.pagesOffset)")
                }
            }
            lines.append("  qemu stream   version \(summary.version.map(String.init) ?? "?"), machine \(summary.machineType ?? "?")")
            let ram = summary.ramBlocks.map { "\($0.name) \($0.size)" }.joined(separator: ", ")
            lines.append("  ram           \(summary.pages) pages, \(summary.zeroPages) zero pages; blocks: \(ram)")
            lines.append("  sections      \(summary.sections.count) device sections: "
                + summary.sections.map { "\($0.name) (id \($0.id))" }.joined(separator: ", "))
            if let description = summary.description {
                lines.append("  vm description  \(description.devices.count) devices, page size \(description.pageSize.map(String.init) ?? "?")")
            }
            lines.append("  end           " + (summary.reachedEOF ? "QEMU_VM_EOF reached" : "QEMU_VM_EOF not reached")
                + (report.trailingBytes > 0 ? ", \(report.trailingBytes) bytes after it" : ""))
            if let seal = report.seal {
                lines.append("  seal          \(seal.digest.rawValue) " + (report.sealMatches == true ? "matches" : "DOES NOT MATCH (sealed \(seal.sha256))"))
            }
            for problem in report.problems { lines.append("  problem       \(problem.message)") }
            if report.isValid && report.seal == nil {
                // The walk proves the stream's structure; a flipped byte inside a page still passes it.
                lines.append("  page contents " + Self.unsealedNote)
            }
            return lines.joined(separator: "\n")
        }
    }
}
