import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg seal FILE`: store the raw stream's SHA-256 in the extension chain.
    struct Seal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the stream's SHA-256 in the image (an extension document) for check --deep.",
            discussion: """
                Walks the whole stream first (as check --deep) and refuses a damaged stream. The \
                seal, <saveimg-seal sha256='...' bytes='...'/>, is appended to the extension chain \
                in place in the padding (libvirt ignores it). It is the digest of the decompressed \
                stream, so it stays valid through saveimg convert.

                Examples:
                  saveimg seal vm.save
                  saveimg check --deep vm.save     # later: compares the stream with the seal

                Exit status: 0 sealed (or already sealed with this digest); 2 damaged stream, a \
                different seal already present, or the write failed.
                """)

        @Argument(help: "Save image file.", completion: .file())
        var file: String?

        @OptionGroup var source: ImageSource

        @Flag(help: "Print the result as JSON (one line): the digest and, when sealed now, the edit.")
        var json = false

        func run() throws {
            let file = try source.path(file)
            let report = try DeepCheck.run(path: file)
            guard report.problems.isEmpty, report.stream.reachedEOF else {
                if !json { print(Check.text(report), to: &standardError) }
                throw CommandFailure(code: .damagedStream, path: file, message: "not sealing a damaged stream")
            }
            if let seal = report.seal {
                guard report.sealMatches == true else {
                    throw CommandFailure(code: .sealConflict, path: file,
                                         message: "already sealed with another digest (\(seal.sha256)); "
                                             + "remove that extension first (saveimg ext remove)")
                }
                if json {
                    try printJSONLine(SealReport(file: file, alreadySealed: true, sha256: report.sha256,
                                                 rawStreamBytes: report.rawStreamBytes, edit: nil))
                } else {
                    print("\(file): already sealed, sha256 \(report.sha256)")
                }
                return
            }
            let seal = SaveImageSeal(sha256: report.sha256, bytes: report.rawStreamBytes)
            let result = try ImageEditor(path: file).run { image in try image.addingExtension(seal.document) }
            if json {
                try printJSONLine(SealReport(file: file, alreadySealed: false, sha256: report.sha256,
                                             rawStreamBytes: report.rawStreamBytes,
                                             edit: EditReport(result: result, dryRun: false).json))
            } else {
                print("\(file): sealed, sha256 \(report.sha256)")
            }
        }
    }
}
