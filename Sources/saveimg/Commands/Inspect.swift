import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg inspect FILE...`: what is in a save image.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a save image's header, domain, CPUs, extension chain and layout.",
            discussion: """
                Reads only the header, the data region and the stream's first bytes: the cost \
                does not grow with the image size.

                Examples:
                  saveimg inspect /var/lib/libvirt/qemu/save/vm.save
                  saveimg inspect --json *.sav

                Exit status: 0 every image is readable by libvirt; 2 at least one is not \
                (each is still reported; the others are inspected).
                """)

        @Argument(help: "Save image files.", completion: .file())
        var files: [String] = []

        @OptionGroup var source: ImageSource

        @Flag(help: "Print JSON lines: one object per image.")
        var json = false

        func run() throws {
            let files = try source.paths(self.files)
            var output = PerFileOutput(json: json)
            for path in files {
                do {
                    let report = InspectReport(try SaveImage(contentsOf: path))
                    try output.report(report, text: report.text)
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
