extension SaveImage {
    /// What opening an image by path does when it finds saveimg's own
    /// interrupted in-place edit: the `LibvirtQemudPart` magic with saveimg's
    /// journal beside the image (DESIGN.md, "Editing in place").
    public enum Recovery: Sendable {
        /// Roll the interrupted edit back first, as a database replays its
        /// journal on open (waiting for the lock of an editor still at work),
        /// then read the image. This writes the image.
        case rollBack
        /// Write nothing: report the image as an interrupted saveimg edit
        /// that `saveimg recover FILE` rolls back (for monitoring).
        case readOnly
    }

    /// Opens the image at `path` and reads its metadata (``init(contentsOf:)``),
    /// handling saveimg's own interrupted edit as `recovery` says. Any other
    /// `LibvirtQemudPart` image (an unfinished `virsh save`) is refused as
    /// libvirt refuses it.
    public static func open(_ path: String, recovery: Recovery) throws(SaveImageError) -> SaveImage {
        do {
            return try SaveImage(contentsOf: path)
        } catch where error.code == .incompleteSave {
            guard PositionalFile.exists(EditJournal.path(for: path)) else { throw error }
            switch recovery {
            case .readOnly:
                throw SaveImageError(
                    .incompleteSave, path: path, offset: 0, field: "magic", expected: "LibvirtQemudSave",
                    found: "LibvirtQemudPart: an interrupted saveimg edit (journal \(EditJournal.path(for: path))); "
                        + "run `saveimg recover \(path)` to roll it back",
                    libvirtMessage: "save image is incomplete")
            case .rollBack:
                guard try EditJournal.recoverForReader(path) else { throw error }
                return try SaveImage(contentsOf: path)
            }
        }
    }

    /// ``probe(path:)`` with saveimg's interrupted edits handled as `recovery` says.
    public static func probe(path: String, recovery: Recovery) -> Probe {
        let found = probe(path: path)
        guard case .invalid(let error) = found, error.code == .incompleteSave else { return found }
        do throws(SaveImageError) { return .image(try open(path, recovery: recovery)) } catch {
            return error.stopsSaveimgOnly ? .unreadable(error) : .invalid(error)
        }
    }

    /// What ``recoverInterruptedEdit(at:)`` did.
    public enum RecoveryOutcome: String, Sendable, Codable {
        /// No journal beside the image: nothing to do.
        case nothingToRecover = "nothing_to_recover"
        /// A journal was left beside a complete image (the edit had not
        /// started changing it, or had committed): the journal was removed.
        case removedStaleJournal = "removed_stale_journal"
        /// The interrupted edit was rolled back: the image is as before it.
        case rolledBack = "rolled_back"
    }

    /// `saveimg recover FILE`: rolls back saveimg's interrupted in-place edit
    /// of the image at `path` (taking the editor's lock, so a live editor is
    /// refused as busy) and removes a stale journal.
    public static func recoverInterruptedEdit(at path: String) throws(SaveImageError) -> RecoveryOutcome {
        let file = try PositionalFile(openingForEditing: path, writable: true)
        switch try EditJournal.recover(file) {
        case .none: return .nothingToRecover
        case .removedStale: return .removedStaleJournal
        case .rolledBack: return .rolledBack
        }
    }
}
