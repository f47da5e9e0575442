import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg seal FILE`: store the guest-state digest in the extension chain.
    struct Seal: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store the guest-state digest (SHA-256 of RAM pages and device state) in the image for check --deep.",
            discussion: """
                Walks the whole stream first (as check --deep) and refuses a damaged stream. The \
                seal, <saveimg-seal digest='guest-state-v1' sha256='...'/>, is appended to the extension \
                chain in place in the padding (libvirt ignores it). It is the digest of the guest \
                state (the RAM pages and the device sections, in stream order), the same in \
                every format, so it stays valid through saveimg convert, sparse included. Older \
                seals without digest= hold the SHA-256 of the decompressed stream and still verify.

                Examples:
                  saveimg seal vm.save
                  saveimg check --deep vm.save     # later: checks the seal

                Exit status: 0 sealed (or already sealed with this digest); 2 damaged stream, a \
                different seal already present, or the write failed.
                """)

        @Argument(help: ArgumentHelp("Save image file.", valueName: "FILE"), completion: .file())
        var file: String?

        @OptionGroup var source: ImageSource

        @Flag(help: "Print the result as JSON (one line): the digest and, when sealed now, the edit.")
        var json = false

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let file = try source.path(file)
            let report = try DeepCheck.run(image: try source.open(file))
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
                    try printJSONLine(SealReport(file: file, alreadySealed: true, seal: seal,
                                                 rawStreamBytes: report.rawStreamBytes, edit: nil))
                } else {
                    print("\(file): already sealed, \(seal.digest.rawValue) \(seal.sha256)")
                }
                return
            }
            // The guest-state digest when the stream has one (pages in order), else the stream bytes'.
            let seal = report.stateSha256.map { SaveImageSeal(sha256: $0, bytes: nil, digest: .guestState) }
                ?? SaveImageSeal(sha256: report.sha256, bytes: report.rawStreamBytes)
            let result = try ImageEditor(path: file).run { (image) throws(SaveImageError) in try image.addingExtension(seal.document) }
            if json {
                try printJSONLine(SealReport(file: file, alreadySealed: false, seal: seal,
                                             rawStreamBytes: report.rawStreamBytes,
                                             edit: EditReport(result: result, dryRun: false).json))
            } else {
                print("\(file): sealed, \(seal.digest.rawValue) \(seal.sha256)")
            }
        }
    }
}
