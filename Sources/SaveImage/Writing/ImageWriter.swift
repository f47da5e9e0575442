/// Puts a ``WritePlan`` on disk so that an interruption at any point leaves
/// either the old or the new valid image, and any reported failure leaves the
/// original byte-identical (see DESIGN.md, "Editing in place").
public struct ImageWriter {
    /// The seam tests use to fail or "crash" at each step.
    public var faults: FaultInjection

    public init(faults: FaultInjection = .none) { self.faults = faults }

    /// What a write did.
    public struct Outcome: Hashable, Sendable {
        /// How the stream was copied (nil for in-place edits).
        public var streamCopy: StreamCopier.Report?
        /// Extended attributes that could not be copied (e.g. `security.selinux` as non-root).
        public var skippedAttributes: [String] = []
    }

    /// Writes `plan` through `file` (opened and locked by the caller). Every
    /// failure is a ``SaveImageError``; a crash simulated by ``faults`` is one
    /// too (``SaveImageError/isSimulatedCrash``), thrown where the "process
    /// died", with nothing rolled back.
    public func write(_ plan: WritePlan, file: PositionalFile) throws(SaveImageError) -> Outcome {
        do {
            switch plan.strategy {
            case .inPlace: try writeInPlace(plan, file: file); return Outcome()
            case .inPlaceJournaled: try writeRegionInPlace(plan, file: file); return Outcome()
            case .rewrite, .grow: return try writeReplacement(plan, file: file)
            }
        } catch let error as SaveImageError {
            throw error
        } catch let crash as SimulatedCrash {
            throw crash.error(path: file.path)
        } catch {
            throw SaveImageError(.io, path: file.path, field: "write", expected: "the plan written", found: "\(error)")
        }
    }

    private func step(_ step: WriteStep) throws {
        switch faults.decide(step) {
        case .proceed: return
        case .crash: throw SimulatedCrash(step: step)
        case .fail:
            throw SaveImageError(.io, path: "", field: step.rawValue, expected: "the step to succeed",
                                 found: "injected failure")
        }
    }

    // MARK: - In place

    /// 1. new documents into bytes the current header does not point to; fsync;
    /// 2. the 92-byte header in one write at offset 0; fsync (the commit);
    /// 3. zeros over the old chain, which the new header no longer points to; fsync.
    /// On a failure every byte written is put back, in the reverse order.
    private func writeInPlace(_ plan: WritePlan, file: PositionalFile) throws {
        if plan.isNoOp { return }
        let base = UInt64(SaveImageHeader.size)
        let oldRegion = plan.original.region.serialized()
        let original = { (write: WritePlan.RegionWrite) in
            Array(oldRegion[write.offset..<write.offset + write.bytes.count])
        }
        var headerWritten = false
        var cleanupWritten = false
        do {
            try step(.writeDocuments)
            for write in plan.documentWrites { try file.write(write.bytes, at: base + UInt64(write.offset)) }
            try step(.syncDocuments)
            try file.sync()
            try step(.writeHeader)
            headerWritten = true
            try file.write(plan.result.header.serialized(), at: 0)
            try step(.syncHeader)
            try file.sync()
            try step(.clearOldChain)
            cleanupWritten = true
            for write in plan.cleanupWrites { try file.write(write.bytes, at: base + UInt64(write.offset)) }
            try step(.syncCleanup)
            try file.sync()
        } catch let error as SaveImageError {
            // Roll back: old chain, then the old header, then the free bytes.
            var failure = error
            failure.path = file.path
            do {
                if cleanupWritten {
                    for write in plan.cleanupWrites { try file.write(original(write), at: base + UInt64(write.offset)) }
                    try file.sync()
                }
                if headerWritten {
                    try file.write(plan.original.header.serialized(), at: 0)
                    try file.sync()
                }
                for write in plan.documentWrites { try file.write(original(write), at: base + UInt64(write.offset)) }
                try file.sync()
                failure.found += "; the file is unchanged"
            } catch {
                failure.found += "; rolling back also failed (\(error)): the file holds the "
                    + (headerWritten ? "old or the new" : "old") + " image, with unreferenced bytes changed"
            }
            throw failure
        }
    }

    // MARK: - Data region in place, under a journal

    /// 1. the journal (old header + old region) beside the image; fsync it and
    /// the directory; 2. the header with libvirt's `LibvirtQemudPart` magic and
    /// the journal's marker (libvirt refuses the image from here: "save image is incomplete");
    /// fsync; 3. the new data region; fsync; 4. the new header
    /// (`LibvirtQemudSave`) in one write; fsync (the commit); 5. the journal
    /// removed. A crash in 2-4 leaves the Part magic and the journal: the next
    /// saveimg that opens the image rolls it back (``EditJournal/recover(_:)``).
    /// On a reported failure the writer rolls back itself, the same way.
    private func writeRegionInPlace(_ plan: WritePlan, file: PositionalFile) throws {
        let base = UInt64(SaveImageHeader.size)
        let oldHeader = plan.original.header.serialized()
        let oldRegion = plan.original.region.serialized()
        let newRegion = plan.result.region.serialized()
        let journalPath = EditJournal.path(for: file.path)
        let journal = EditJournal(of: file, header: oldHeader, region: oldRegion)
        let marked = journal.markedHeader
        do { try journal.create(at: journalPath, faults: step) } catch var error as SaveImageError {
            error.path = file.path
            error.found += "; the file is unchanged"
            throw error
        }
        var touched = false
        do {
            try step(.markIncomplete)
            touched = true
            try file.write(marked, at: 0)
            try step(.syncMark)
            try file.sync()
            try step(.writeRegion)
            try file.write(newRegion, at: base)
            try step(.syncRegion)
            try file.sync()
            try step(.writeHeader)
            try file.write(plan.result.header.serialized(), at: 0)
            try step(.syncHeader)
            try file.sync()
            try step(.removeJournal)
            try EditJournal.remove(at: journalPath)
        } catch let error as SaveImageError {
            var failure = error
            failure.path = file.path
            do {
                if touched {
                    try file.write(marked, at: 0)
                    try file.sync()
                    try file.write(oldRegion, at: base)
                    try file.sync()
                    try file.write(oldHeader, at: 0)
                    try file.sync()
                }
                try EditJournal.remove(at: journalPath)
                failure.found += "; the file is unchanged"
            } catch {
                failure.found += "; rolling back also failed (\(error)): the journal \(journalPath) stays, and "
                    + "the next saveimg command that opens the image restores the old one"
            }
            throw failure
        }
    }

    // MARK: - New file

    /// 1. a 0600 file beside the destination; header + region; the stream
    /// copied (holes kept); owner, mode, xattrs; fsync; 2. rename over the
    /// destination (the commit); 3. fsync the directory.
    private func writeReplacement(_ plan: WritePlan, file: PositionalFile) throws -> Outcome {
        let destination = plan.result.path
        let replacesOriginal = destination == file.path
        if replacesOriginal, file.status.links > 1 {
            throw SaveImageError(
                .editRejected, path: file.path, field: "file",
                expected: "a file with one link (the edit renames a new file over it)",
                found: "\(file.status.links) hard links; the others would keep the old image. Use --output")
        }
        var outcome = Outcome()
        try step(.createTemporary)
        let temporary = try ReplacementFile(replacing: destination)
        try step(.writeMetadata)
        try temporary.setSize(plan.result.fileSize)
        try temporary.write(plan.result.header.serialized() + plan.result.region.serialized(), at: 0)
        try step(.copyStream)
        outcome.streamCopy = try StreamCopier.copy(
            from: file, range: plan.original.streamOffset, to: file.size,
            into: temporary, at: plan.result.streamOffset)
        try step(.copyAttributes)
        outcome.skippedAttributes = try temporary.copyAttributes(from: file)
        try step(.syncTemporary)
        try temporary.sync()
        if replacesOriginal, !file.pathStillNamesFile() {
            throw SaveImageError(.busy, path: file.path, field: "file", expected: "the file saveimg opened",
                                 found: "the path now names another file (replaced while editing); nothing written")
        }
        try step(.rename)
        try temporary.commit()
        try step(.syncDirectory)
        try temporary.syncDirectory()
        return outcome
    }
}
