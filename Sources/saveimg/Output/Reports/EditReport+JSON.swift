import SaveImage

extension EditReport {
    /// An edit as JSON (`--json` of `add-cpu-ext`, `ext add/remove`, `define`,
    /// `set-state`, and `seal`'s `edit`): what changed, old and new layout.
    struct JSON: Encodable {
        /// Header words and where the parts are, before or after the edit.
        struct State: Encodable {
            var file: String
            var dataLen: UInt32
            var cookieOffset: UInt32
            var wasRunning: UInt32
            var streamOffset: UInt64
            var extensionCount: Int
            var layout: [LayoutSegment]
        }
        /// An in-place write: absolute file offset and size.
        struct RegionWrite: Encodable {
            var offset: UInt64
            var size: Int
            /// `chain` (the new documents, written first) or `cleanup` (zeros over the old chain, after the header).
            var kind: String
        }
        /// How the stream was copied into the new file (`rewrite`, `grow`).
        struct Copied: Encodable {
            var dataBytes: UInt64
            var clonedBytes: UInt64
            var kernelCopiedBytes: UInt64
            var bufferedBytes: UInt64
        }
        var file: String
        /// The file written (FILE, or `--output NEW`).
        var output: String
        var dryRun: Bool
        /// False when the edit asked for what the file already holds (nothing written).
        var changed: Bool
        /// `in-place`, `rewrite` or `grow`.
        var strategy: String
        var reason: String
        var old: State
        var new: State
        var regionWrites: [RegionWrite]
        var copied: Copied?
        var skippedAttributes: [String]
        /// `define`: what happened to the stored secrets (their places, never their values).
        var secrets: Secrets?

        /// Where the stored secrets went (`define`): kept as stored, replaced by the new XML's, dropped.
        struct Secrets: Encodable {
            var kept: [String]
            var replaced: [String]
            var dropped: [String]

            /// The places of `kept`'s secrets (never their values).
            init(_ kept: DomainSecrets.Kept) {
                self.kept = kept.kept.map(\.location)
                replaced = kept.replaced.map(\.location)
                dropped = kept.dropped.map(\.location)
            }
        }
    }

    var json: JSON {
        let plan = result.plan
        func state(_ image: SaveImage) -> JSON.State {
            JSON.State(file: image.path, dataLen: image.header.dataLength, cookieOffset: image.header.cookieOffset,
                       wasRunning: image.header.wasRunning, streamOffset: image.streamOffset,
                       extensionCount: image.extensions.count, layout: image.layoutSegments)
        }
        let base = UInt64(SaveImageHeader.size)
        let writes = plan.strategy == .inPlace
            ? plan.documentWrites.map { JSON.RegionWrite(offset: base + UInt64($0.offset), size: $0.bytes.count, kind: "chain") }
                + plan.cleanupWrites.map { JSON.RegionWrite(offset: base + UInt64($0.offset), size: $0.bytes.count, kind: "cleanup") }
            : []
        let copied = result.outcome?.streamCopy.map {
            JSON.Copied(dataBytes: $0.dataBytes, clonedBytes: $0.clonedBytes, kernelCopiedBytes: $0.kernelCopiedBytes,
                        bufferedBytes: $0.bufferedBytes)
        }
        return JSON(file: plan.original.path, output: plan.result.path, dryRun: dryRun, changed: !plan.isNoOp,
                    strategy: plan.strategy.rawValue, reason: plan.reason, old: state(plan.original),
                    new: state(plan.result), regionWrites: plan.isNoOp ? [] : writes, copied: copied,
                    skippedAttributes: result.outcome?.skippedAttributes ?? [])
    }
}
