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
        var files: [String]

        @Flag(help: "Print JSON (one object per image; an array with several files).")
        var json = false

        func run() throws {
            var failed = false
            var reports: [String] = []
            for path in files {
                do {
                    let image = try SaveImage(contentsOf: path)
                    let report = InspectReport(image)
                    if json { reports.append(try jsonString(report)) } else { print(report.text) }
                } catch let error as SaveImageError {
                    failed = true
                    if json {
                        reports.append(try jsonString(ErrorReport(path: path, error: error)))
                    } else {
                        print("saveimg: \(error)", to: &standardError)
                    }
                }
            }
            if json {
                print(files.count == 1 ? reports[0] : "[\n" + reports.joined(separator: ",\n") + "\n]")
            }
            if failed { throw ExitCode(ExitStatus.invalid) }
        }
    }
}
