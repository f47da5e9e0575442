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

                Exit status: 0 every image is readable by libvirt; 2 at least one is not \
                (each is still reported; the others are inspected).
                """)

        @Argument(help: "Save image files.", completion: .file())
        var files: [String]

        @Flag(help: "Print JSON (one object per image; an array with several files).")
        var json = false

        func run() throws {
            var output = PerFileOutput(json: json)
            for path in files {
                do {
                    let image = try SaveImage(contentsOf: path)
                    var report = InspectReport(image)
                    if image.header.version >= 2, image.header.format == .sparse {
                        do throws(SaveImageError) { report.sparse = try SparseImageSummary.read(path: path) } catch {
                            report.valid = false
                            output.failed = true
                            report.findings.append(.init(code: "sparse_layout_invalid", severity: "restore_fails",
                                                         message: error.description, libvirtMessage: nil, offset: error.offset))
                        }
                    }
                    try output.report(report, text: report.text)
                } catch let error as SaveImageError {
                    try output.report(error, path: path)
                }
            }
            try output.finish()
        }
    }
}
