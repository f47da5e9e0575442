/// `saveimg check --deep`: decodes the whole stream (for a sparse image,
/// reads it block by block), walks it with the one walker driver
/// (``StreamWalk``) and hashes it: SHA-256 of the raw stream and the
/// guest-state digest. Memory stays bounded whatever the image size.
public enum DeepCheck {
    /// Checks the image at `path` (opened once; see ``run(image:progress:)``).
    public static func run(path: String, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil)
        throws(SaveImageError) -> DeepCheckReport {
        try run(image: try SaveImage(contentsOf: path), progress: progress)
    }

    /// Checks `image`'s stream, read through the image's own reader. Throws
    /// only when no digest can be set up; stream problems are in the report.
    /// `progress`, when given, is called from the reading thread with the
    /// stream bytes read so far and the stream's size in the file.
    public static func run(image: SaveImage, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil)
        throws(SaveImageError) -> DeepCheckReport {
        try run(image: image, progress: progress, keeper: nil)
    }

    /// Checks `image`'s stream like ``run(image:progress:)`` and keeps the
    /// last `keepingTail` decoded bytes the walk consumed (the device sections
    /// and the VM description at the stream's end), so that a caller needing
    /// them does not decode the stream a second time. Returns the bytes and
    /// the decoded-stream offset of the first one.
    public static func run(image: SaveImage, keepingTail: Int, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil)
        throws(SaveImageError) -> (report: DeepCheckReport, tail: [UInt8], tailBase: UInt64) {
        let keeper = TailKeeper(limit: keepingTail)
        let report = try run(image: image, progress: progress, keeper: keeper)
        return (report, keeper.kept, keeper.total - UInt64(keeper.kept.count))  // bounded: kept.count <= total
    }

    /// Keeps the last `limit` bytes of what it is given (amortized: trims at twice the limit).
    final class TailKeeper {
        let limit: Int
        var kept: [UInt8] = []
        var total: UInt64 = 0

        init(limit: Int) { self.limit = max(0, limit) }

        func append(_ bytes: UnsafeRawBufferPointer) {
            kept.append(contentsOf: bytes)
            total &+= UInt64(bytes.count)  // bounded: a count of decoded bytes, far below 2^64
            if kept.count > 2 * limit { kept.removeFirst(kept.count - limit) }  // bounded: kept.count > 2 * limit >= limit
        }

        func trim() { if kept.count > limit { kept.removeFirst(kept.count - limit) } }  // bounded: kept.count > limit
    }

    static func run(image: SaveImage, progress: (@Sendable (UInt64, UInt64) -> Void)?, keeper: TailKeeper?)
        throws(SaveImageError) -> DeepCheckReport {
        let path = image.path
        let source = image.stream
        let format = source.format
        var report = DeepCheckReport(path: path, format: format.description, streamOffset: image.streamOffset,
                                     streamBytes: image.streamLength)
        report.seal = SaveImageSeal.find(in: image)
        var layout: MappedRAMLayout?
        if format == .sparse {
            do throws(SaveImageError) { layout = try source.mappedRAMLayout() } catch {
                report.problems.append(DeepCheckProblem(error.locating(path, base: nil), rawStream: false))
                return report
            }
        } else if !StreamFormat.codecFormats.contains(format) {
            report.problems.append(DeepCheckProblem(StreamFormat.unsupported(format).locating(path, base: nil), rawStream: false))
            return report
        }
        let state = try GuestStateDigest()
        let walk = try StreamWalk(source: source, hashing: true, observer: state,
                                  tap: { (bytes) throws(SaveImageError) in
                                      try state.tap(bytes)
                                      keeper?.append(bytes)
                                  },
                                  layout: layout, readingRawOnThisThread: false, progress: progress)
        keeper?.trim()
        report.trailingBytes = walk.trailingBytes
        report.rawStreamBytes = walk.rawStreamBytes
        report.sha256 = walk.sha256 ?? ""
        report.stream = walk.summary
        if let failure = walk.sourceFailure {
            report.problems.append(DeepCheckProblem(failure, rawStream: false))
        }
        if let layout {
            report.sparse = SparseImageSummary(layout)
            report.problems += bitmapProblems(layout)  // bounded: array append
        }
        if var walkFailure = walk.failure {
            walkFailure.path = path
            report.problems.append(DeepCheckProblem(walkFailure, rawStream: true,
                                                    fileBase: fileBase(format: format, streamOffset: image.streamOffset,
                                                                       layout: layout, rawOffset: walkFailure.offset)))
        }
        if walk.failure == nil, walk.sourceFailure == nil { report.stateSha256 = try state.finalize() }
        if let seal = report.seal {
            if let invalid = seal.invalidBytes { report.problems.append(DeepCheckProblem(invalid, rawStream: false)) }
            switch seal.digest {
            case .guestState: report.sealMatches = seal.invalidBytes == nil && seal.sha256 == report.stateSha256
            case .streamBytes:
                report.sealMatches = seal.invalidBytes == nil && seal.sha256 == report.sha256
                    && (seal.bytes == nil || seal.bytes == report.rawStreamBytes)
            }
        }
        return report
    }

    /// The file offset of raw-stream offset 0 for walker problems: the stream
    /// offset for raw streams; for a sparse image, such that an offset in the
    /// copied device state maps to its place in the file (nil before it).
    static func fileBase(format: CompressionFormat, streamOffset: UInt64, layout: MappedRAMLayout?, rawOffset: UInt64?) -> UInt64? {
        if format == .raw { return streamOffset }
        guard let layout, let rawOffset else { return nil }
        let rawStart = MappedRAMRawStream.deviceStateRawOffset(of: layout, keepMappedRAM: true)
        guard rawOffset >= rawStart, layout.deviceStateOffset >= rawStart else { return nil }
        return layout.deviceStateOffset - rawStart  // bounded: guarded: deviceStateOffset >= rawStart just above
    }

    /// Bits set past a block's last page: QEMU never sets them (its bitmap has one bit per page).
    static func bitmapProblems(_ layout: MappedRAMLayout) -> [DeepCheckProblem] {
        var problems: [DeepCheckProblem] = []
        for block in layout.blocks {
            let stray = MappedRAMBlock.countPresent(block.bitmap, pages: block.bitmapSize * 8) - block.pagesPresent  // bounded: the bitmap in memory has bitmapSize*8 bits, pagesPresent counts a subset of them
            guard stray > 0 else { continue }
            let error = SaveImageError(.badStream, path: layout.path, offset: block.bitmapOffset + block.pageCount / 8,  // bounded: bitmapOffset was checked to lie within the file; pageCount / 8 is within the bitmap
                                       field: "mapped-ram bitmap of '\(block.name)'",
                                       expected: "no bit past page \(block.pageCount)", found: "\(stray) such bits set")
            problems.append(DeepCheckProblem(error, rawStream: false))
        }
        return problems
    }
}
