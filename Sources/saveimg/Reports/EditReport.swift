import SaveImage

/// What an edit did (or, with --dry-run, would do), as text.
struct EditReport {
    var result: ImageEditor.Result
    var dryRun: Bool

    var text: String {
        let plan = result.plan
        let old = plan.original
        let new = plan.result
        var lines: [String] = []
        let verb = dryRun ? "would write" : "wrote"
        if plan.isNoOp {
            return "\(old.path): nothing to change"
        }
        lines.append("\(new.path): \(verb) \(plan.strategy.rawValue) (\(plan.reason))")
        lines.append("  header: " + headerChanges(old.header, new.header))
        if plan.strategy == .inPlace {
            for write in plan.documentWrites {
                lines.append("  region [\(write.offset), \(write.offset + write.bytes.count)): new chain "
                             + "(\(new.region.chain.count) document(s)) in free bytes")
            }
            for write in plan.cleanupWrites {
                lines.append("  region [\(write.offset), \(write.offset + write.bytes.count)): old chain zeroed after the header")
            }
            lines.append("  stream: untouched at offset \(old.streamOffset)")
        } else {
            lines.append("  layout: domain XML \(new.region.domainXML.storedLength) bytes, chain \(new.region.chain.count) "
                         + "document(s) at \(new.header.cookieOffset), padding \(new.region.padding.count) bytes")
            if plan.strategy == .inPlaceJournaled {
                lines.append("  stream: untouched at offset \(old.streamOffset) (data region rewritten in place, "
                             + "journal beside the image while it was torn)")
            } else {
                let move = new.streamOffset == old.streamOffset ? "stays at offset \(old.streamOffset)"
                    : "moves from offset \(old.streamOffset) to \(new.streamOffset)"
                lines.append("  stream: \(old.streamLength) bytes, \(move), "
                             + (new.path == old.path ? "copied into a new file renamed over the original"
                                : "copied into the new file; \(old.path) is unchanged"))
            }
            if let copy = result.outcome?.streamCopy {
                lines.append("  copied: \(copy.dataBytes) data bytes (\(copy.clonedBytes) cloned, "
                             + "\(copy.kernelCopiedBytes) copy_file_range, \(copy.bufferedBytes) buffered); holes kept")
            }
        }
        if let skipped = result.outcome?.skippedAttributes, !skipped.isEmpty {
            lines.append("  note: extended attributes not copied: \(skipped.joined(separator: ", "))")
        }
        if !new.extensions.isEmpty {
            lines.append("  extensions kept: \(new.extensions.count) (note: `virsh save-image-define` would drop them)")
        }
        return lines.joined(separator: "\n")
    }

    private func headerChanges(_ old: SaveImageHeader, _ new: SaveImageHeader) -> String {
        var parts: [String] = []
        func show(_ name: String, _ a: UInt32, _ b: UInt32) {
            parts.append(a == b ? "\(name) \(a)" : "\(name) \(a) -> \(b)")
        }
        show("data_len", old.dataLength, new.dataLength)
        show("cookieOffset", old.cookieOffset, new.cookieOffset)
        show("was_running", old.wasRunning, new.wasRunning)
        return parts.joined(separator: ", ")
    }
}
