import ArgumentParser
import FoundationEssentials
import SaveImage

#if canImport(Glibc)
import Glibc
#endif

extension SaveImg {
    /// `saveimg verify FILE|DIR...`: will each image restore on the target?
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tell whether save images will restore on a target libvirt and host, and if not, why.",
            discussion: """
                For each image: the verdict (restorable, restorable with warnings, will fail, invalid) \
                and every reason with a stable code, the message the target libvirt (or its QEMU) \
                prints and a fix hint. Checks the header and data region, the format against the \
                target release, the machine type against the target's emulator (--capabilities), \
                domain XML constructs and CPU names against the target release's parser and CPU map, \
                the CPU against what binds the guest (TCG guests: domcapabilities' host-model; KVM \
                guests: that, or the physical CPU of --capabilities or /proc/cpuinfo), the RAM size \
                against the stream's RAM block, and the end of a raw or sparse stream. Without --deep \
                it reads a bounded number of bytes whatever the image's size; compressed streams \
                are decompressed and walked only with --deep.

                The target is --target host.json (`saveimg target capture` run on it), or \
                --target-libvirt with --capabilities/--domcapabilities; with no target option, \
                this machine as it is: its running libvirt (through libvirt.so.0: versions and \
                capabilities once, domcapabilities for each kind of guest met), else its QEMU \
                binary; the output says which. \
                Releases between and beyond the measured ones (7.0, 9.0, 11.3, 12.8) take \
                release-dated facts from libvirt's sources and the rest from the nearest measured \
                release, and say so; rules that depend on libvirt and QEMU together use the \
                target's QEMU (a capture's, --qemu, else the nearest lab's).

                Examples:
                  saveimg verify vm.save
                  saveimg verify --target host.json --forecast vm.save
                  saveimg verify --target host.json --qemu 11.2 vm.save
                  saveimg verify --target-libvirt 7.0 --capabilities caps.xml \\
                      --domcapabilities domcaps.xml vm.save
                  saveimg verify --deep vm.save
                  saveimg verify --recursive --json /var/lib/libvirt/qemu/save

                The device state (each section's vmstate version and subsections, field sizes, \
                virtqueue sizes) is compared with the target QEMU's vmstate descriptions for the \
                image's machine type: a capture's (`saveimg target capture` records -dump-vmstate), \
                --vmstate host.json with the XML options, or this machine's QEMU asked once per \
                machine type; without them the device state is "cannot tell". A UEFI guest's \
                loader, NVRAM template and flash sizes are compared with the target's firmware files.

                Three answers, never a guess: "will restore" (restorable) only when every check \
                libvirt makes at restore was made; "will fail" with the target's message; else \
                "cannot tell", naming each check not made and the option that makes it (a \
                capture of the target: --target host.json; --capabilities, --domcapabilities; \
                --deep for a compressed stream above 64 MiB; smaller ones are always walked).

                Exit status: 0 every image restores (warnings included); 1 usage error, or no \
                image found; 2 at least one image is invalid (libvirt refuses to read it); 3 at \
                least one reads but will fail to restore (and none is invalid); 4 cannot tell for \
                at least one (and none fails or is invalid).
                """)

        @Argument(help: ArgumentHelp("Save image files or directories.", valueName: "PATH"), completion: .file())
        var paths: [String] = []

        @OptionGroup var source: ImageSource

        @OptionGroup var target: TargetOptions

        @Option(help: ArgumentHelp("Replacement domain XML (as `virsh restore --xml`): check its ABI against the image.",
                                   valueName: "FILE"),
                completion: .file())
        var xml: String?

        @Flag(help: "Decompress and walk the whole stream (a progress bar on a terminal).")
        var deep = false

        @Flag(help: "Descend into directories.")
        var recursive = false

        @Flag(help: "Say when QEMU will refuse each image's machine type (QEMU's 3/6-year rule); with --qemu V, judge against QEMU V.")
        var forecast = false

        @Flag(help: "Print JSON lines: one object per image.")
        var json = false

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let paths = try source.paths(self.paths)
            var (verifier, how) = try target.verifier(replacement: try loadReplacement(), deep: deep)
            let (files, skippedDirectories) = VerifyInputs.expand(paths, recursive: recursive)
            if files.isEmpty {
                // Nothing to verify is a usage error (exit 1), as the help says.
                throw ValidationError("\(paths.joined(separator: " ")): 0 images"
                    + (skippedDirectories > 0 ? " (use --recursive: \(skippedDirectories) subdirectories not read)" : ""))
            }
            var results: [(String, RestoreVerdict)] = []
            for file in files {
                let bar = deep && !json && isatty(STDERR_FILENO) == 1 ? ProgressBar(label: "verify --deep") : nil
                if let bar {
                    nonisolated(unsafe) let shared = bar  // drawn from the reading thread only
                    verifier.progress = { done, total in shared.update(done: done, total: total) }
                }
                results.append((file, verifier.verify(path: file)))
                bar?.finish()
            }
            // --forecast: the metadata is read again (bounded, no stream) for the machine type.
            let forecasts = results.map { file, verdict in
                forecast ? (try? SaveImage(contentsOf: file)).flatMap { MachineForecast(image: $0, verdict: verdict) } : nil
            }
            if json {
                let target = VerifyReport.Target(verifier: verifier, host: self.target.hostKind, replacementXML: xml)
                for ((file, verdict), forecast) in zip(results, forecasts) {
                    var report = VerifyReport(path: file, verdict: verdict, target: target)
                    report.forecast = forecast
                    try printJSONLine(report)
                    // A file that could not be read: its message on standard error too, as every command's.
                    if let error = verdict.readError { ErrorExit.report(error.description, line: nil) }
                }
            } else {
                print("target: \(verifier.targetDescription) (from \(how))")
                let many = results.count > 1
                for ((file, verdict), forecast) in zip(results, forecasts) {
                    print(VerifyReport.text(path: file, verdict: verdict, oneLine: many, sharedTarget: verifier.targetDescription))
                    if let forecast {
                        print("  forecast: machine \(forecast.machine): "
                              + (forecast.refusedFrom.map { "deprecated from QEMU \(forecast.deprecatedFrom ?? "?"), refused from QEMU \($0) (\(forecast.source ?? ""))" }
                                 ?? "not a versioned machine type: no forecast")
                              + (forecast.deprecatedOnTarget ? "; deprecated on the target" : ""))
                    }
                }
                if many { print(VerifyReport.summary(results.map(\.1))) }
            }
            let worst = results.map(\.1.outcome).max() ?? .restorable
            let status = ExitStatus.forOutcome(worst)
            if status != ExitStatus.success { throw ExitCode(status) }
        }

        func loadReplacement() throws -> DomainSummary? {
            guard let xml else { return nil }
            do {
                let element = try XMLParser.parse(try VerifyInputs.bytes(xml), name: "replacement domain XML", path: xml)
                guard element.name == "domain" else {
                    throw ValidationError("--xml \(xml): expected root element <domain>, found <\(element.name)>")
                }
                return try DomainSummary(element: element, path: xml)
            } catch let error as SaveImageError {
                throw ValidationError("--xml: \(error)")
            }
        }
    }
}
