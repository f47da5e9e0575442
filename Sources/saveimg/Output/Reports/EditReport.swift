import SaveImage

/// What an edit did (or, with --dry-run, would do), as text: in the user's
/// words (what changed, where the result is); with `--verbose`, also how it
/// was written (header words, byte ranges, strategy, the stream's copy).
struct EditReport {
    var result: ImageEditor.Result
    var dryRun: Bool
    var verbose = false

    var text: String { verbose ? mechanics : summary }

    /// `vm.save: updated the domain XML in place`, then what each document
    /// became, and the notes a user acts on (extensions kept, attributes not copied).
    var summary: String {
        let plan = result.plan
        let old = plan.original
        let new = plan.result
        if plan.isNoOp { return "\(old.path): nothing to change" }
        let changes = replacements(old, new)
        let what = Self.changedParts(old, new)
        var head: String
        if new.path != old.path {
            head = "\(new.path): \(dryRun ? "would write" : "wrote") a copy with \(what) updated; \(old.path) is unchanged"
        } else {
            switch plan.strategy {
            case .inPlace, .inPlaceJournaled:
                head = "\(old.path): \(dryRun ? "would update" : "updated") in place: \(what)"
            case .grow:
                head = "\(old.path): \(dryRun ? "would update" : "updated"): \(what) (the data region was too small, "
                    + "so the file \(dryRun ? "would be" : "was") rewritten with a larger one)"
            case .rewrite:
                head = "\(old.path): \(dryRun ? "would update" : "updated"): \(what) (the file \(dryRun ? "would be" : "was") rewritten)"
            }
        }
        var lines = [head] + changes.map { "  " + $0 }
        if let skipped = result.outcome?.skippedAttributes, !skipped.isEmpty {
            lines.append("  note: extended attributes not copied: \(skipped.joined(separator: ", "))")
        }
        if !new.extensions.isEmpty {
            lines.append("  extensions kept: \(new.extensions.count) (`virsh save-image-define` would drop them)")
        }
        return lines.joined(separator: "\n")
    }

    /// "the domain XML", "the cookie and the extensions", "whether the guest runs after restore".
    static func changedParts(_ old: SaveImage, _ new: SaveImage) -> String {
        var parts: [String] = []
        if old.region.domainXML.bytes != new.region.domainXML.bytes { parts.append("the domain XML") }
        if old.cookieDocument?.bytes != new.cookieDocument?.bytes { parts.append("the cookie") }
        if old.extensions.map(\.bytes) != new.extensions.map(\.bytes) { parts.append("the extensions") }
        if old.header.wasRunning != new.header.wasRunning { parts.append("whether the guest runs after restore") }
        switch parts.count {
        case 0: return "the image"
        case 1: return parts[0]
        default: return parts.dropLast().joined(separator: ", ") + " and " + (parts.last ?? "")
        }
    }

    /// The mechanics (`--verbose`): strategy and why, header words, byte ranges, the stream.
    var mechanics: String {
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
        lines += replacements(old, new).map { "  " + $0 }
        if plan.strategy == .inPlace {
            // File offsets, as inspect prints them (the plan's are data-region offsets).
            let base = SaveImageHeader.size
            for write in plan.documentWrites {
                lines.append("  bytes [\(base + write.offset), \(base + write.offset + write.bytes.count)): new chain "
                             + "(\(new.region.chain.count) document(s)) in free bytes")
            }
            for write in plan.cleanupWrites {
                lines.append("  bytes [\(base + write.offset), \(base + write.offset + write.bytes.count)): old chain zeroed after the header")
            }
            lines.append("  stream: untouched at offset \(old.streamOffset)")
        } else {
            lines.append("  layout: domain XML \(new.region.domainXML.storedLength) bytes, chain \(new.region.chain.count) "
                         + "document(s) at offset \(UInt64(SaveImageHeader.size) + UInt64(new.header.cookieOffset)), padding \(new.region.padding.count) bytes")
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

    /// What the edit replaces, document by document (`replaces:`, `adds:`,
    /// `removes:` lines): the domain XML and its <cpu>, the cookie's <cpu>,
    /// extensions, was_running.
    func replacements(_ old: SaveImage, _ new: SaveImage) -> [String] {
        var lines: [String] = []
        func cpu(_ definition: CPUDefinition?) -> String { definition.map { "<cpu> (\($0.summary))" } ?? "no <cpu>" }
        if old.region.domainXML.bytes != new.region.domainXML.bytes {
            var line = "replaces: domain XML (\(old.region.domainXML.bytes.count) bytes) with \(new.region.domainXML.bytes.count) bytes"
            if old.domain.cpu != new.domain.cpu { line += "; its \(cpu(old.domain.cpu)) with \(cpu(new.domain.cpu))" }
            lines.append(line)
        }
        if old.cookieDocument?.bytes != new.cookieDocument?.bytes {
            if old.cookieDocument == nil {
                lines.append("adds: a cookie with \(cpu(new.cookie?.cpu)) (the image had none)")
            } else if old.cookie?.cpu != new.cookie?.cpu {
                lines.append("replaces: the cookie's \(cpu(old.cookie?.cpu)) with \(cpu(new.cookie?.cpu))")
            } else {
                lines.append("replaces: the cookie document (its <cpu> unchanged)")
            }
        }
        let before = old.extensions.map(\.bytes), after = new.extensions.map(\.bytes)
        if before != after {
            for (index, document) in before.enumerated() where !after.contains(document) {
                lines.append("removes: extension \(index + 1) (<\(Self.rootName(document))>)")
            }
            for (index, document) in after.enumerated() where !before.contains(document) {
                lines.append("adds: extension \(index + 1) (<\(Self.rootName(document))>)")
            }
        }
        if old.header.wasRunning != new.header.wasRunning {
            lines.append(new.header.wasRunning == 0
                ? "changes: the guest stays paused after restore (it was set to run)"
                : "changes: the guest runs after restore (it was set to stay paused)")
        }
        return lines
    }

    static func rootName(_ document: [UInt8]) -> String {
        let text = String(decoding: document.prefix(200), as: UTF8.self)
        guard let open = text.firstIndex(of: "<") else { return "?" }
        return String(text[text.index(after: open)...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ":" })
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
