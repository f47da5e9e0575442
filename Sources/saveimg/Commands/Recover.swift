import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg recover FILE`: roll back an interrupted in-place edit.
    struct Recover: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Roll back saveimg's interrupted in-place edit of an image (LibvirtQemudPart with saveimg's journal beside it).",
            discussion: """
                An in-place edit marks the image LibvirtQemudPart and keeps the old header and \
                data region in a journal beside it until the new ones are synced. If the edit \
                was killed, libvirt refuses the image ("save image is incomplete"); recover writes \
                the journal back and removes it, so the image is byte-identical to what it was \
                before the edit. Every other command does the same on its own unless --read-only; \
                recover is the explicit step, e.g. after `saveimg scan --read-only` reported one. \
                A journal left beside a complete image is removed. Refused (busy) while another \
                saveimg holds the image.

                Examples:
                  saveimg recover vm.save

                Exit status: 0 rolled back or nothing to do; 2 the image could not be recovered.
                """)

        @Argument(help: ArgumentHelp("Save image file (left out with --managed-save).", valueName: "FILE"), completion: .file())
        var file: String?

        @OptionGroup var source: ImageSource

        @Flag(help: "Print JSON lines: one object per image.")
        var json = false

        struct Report: Encodable {
            var file: String
            var outcome: String
        }

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let path = try source.path(file)
            let outcome = try SaveImage.recoverInterruptedEdit(at: path)
            if json {
                try printJSONLine(Report(file: path, outcome: outcome.rawValue))
                return
            }
            switch outcome {
            case .nothingToRecover: print("\(path): no interrupted saveimg edit (nothing to recover)")
            case .removedStaleJournal: print("\(path): removed a stale journal (the image was complete)")
            case .rolledBack: print("\(path): rolled back the interrupted edit (the image is as before it)")
            }
        }
    }
}
