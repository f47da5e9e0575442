/// A failure that is not about an image's bytes (a missing extension, a seal
/// conflict, an input file that cannot be read): thrown by a command, printed
/// by the one error exit (``SaveImg/main()``) and exits 2.
struct CommandFailure: Error, CustomStringConvertible {
    enum Code: String {
        /// The document asked for is not in the image (no cookie, no extension N).
        case noSuchDocument = "no_such_document"
        /// `seal`: the stream is damaged.
        case damagedStream = "damaged_stream"
        /// `seal`: another seal is already in the chain.
        case sealConflict = "seal_conflict"
        /// An input file (CPU.xml, NEW.xml, a document) cannot be read.
        case inputUnreadable = "input_unreadable"
        /// `edit`: the editor could not be started or failed; the image is unchanged.
        case editorFailed = "editor_failed"
        /// `--managed-save NAME`: the domain has no managed save file.
        case noManagedSave = "no_managed_save"
    }

    var code: Code
    /// The file it is about.
    var path: String
    /// What is wrong, without the path.
    var message: String

    var description: String { "\(path): \(message)" }
}
