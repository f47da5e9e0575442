extension RestoreVerifier {
    /// The whole stream walked (``deep``, or a stream of at most
    /// ``automaticDeepLimit`` stored bytes): the report, or the error that
    /// stopped the walk; nil when the stream was not walked.
    struct StreamWalkResult {
        var report: DeepCheckReport?
        var error: SaveImageError?
        /// A compressed stream's last decoded bytes (device sections and VM
        /// description), kept by the walk for the device-state check.
        var tail: DeviceStateEvidence.Tail?
    }

    /// Whether the whole stream is walked for this image.
    func walksWholeStream(_ image: SaveImage) -> Bool {
        deep || (image.streamLength > 0 && image.streamLength <= automaticDeepLimit)
    }

    func walkStream(_ image: SaveImage) -> StreamWalkResult? {
        let format = image.effectiveFormat
        guard image.streamLength > 0, profile.canRestore(format: format), walksWholeStream(image) else { return nil }
        if image.findings.contains(where: { $0.code == .streamMissing || $0.code == .formatStreamMismatch }) { return nil }
        do {
            guard format != .raw, format != .sparse else {
                return StreamWalkResult(report: try DeepCheck.run(image: image, progress: progress))
            }
            // One decode for both: the walk keeps the end the device-state check reads.
            let (report, kept, base) = try DeepCheck.run(image: image, keepingTail: DeviceStateEvidence.keptTailBytes, progress: progress)
            return StreamWalkResult(report: report, tail: DeviceStateEvidence.tail(decoded: kept, base: base))
        } catch {
            return StreamWalkResult(error: error)
        }
    }

    /// Damage only the stream shows. A stream of at most ``automaticDeepLimit``
    /// bytes, or any with ``deep``, is decoded and walked to QEMU_VM_EOF as
    /// QEMU loads it. A larger raw or sparse one: its end is checked in O(1)
    /// (QEMU_VM_EOF + VM description). A larger compressed one cannot be
    /// judged without decoding it: `cannot_tell`, naming `--deep`.
    func streamReasons(_ image: SaveImage, walk: StreamWalkResult?) -> [RestoreVerdict.Reason] {
        let format = image.effectiveFormat
        guard image.streamLength > 0, profile.canRestore(format: format) else { return [] }
        if image.findings.contains(where: { $0.code == .streamMissing || $0.code == .formatStreamMismatch }) { return [] }
        if let walk { return walkReasons(walk) }
        switch image.stream.tail() {
        case .complete(_, _, let trailing):
            var reasons: [RestoreVerdict.Reason] = []
            if trailing > 0 {
                reasons.append(RestoreVerdict.Reason(.streamTailNotChecked, .info,
                    "\(trailing) bytes follow the stream's VM description (QEMU stops reading at QEMU_VM_EOF)"))
            }
            // The positive answer has its own code: stream_body_not_checked is the cannot_tell below.
            reasons.append(RestoreVerdict.Reason(.streamEndIntact, .info,
                "the \(format) stream (\(image.streamLength) bytes, more than the \(automaticDeepLimit >> 20) MiB walked "
                    + "without --deep) ends intact (QEMU_VM_EOF and VM description); its body was not walked (`--deep` does)"))
            return reasons
        case .incomplete(let last):
            return [RestoreVerdict.Reason(
                .streamTruncated, .restoreFails,
                "the \(format) stream does not end with QEMU_VM_EOF and the VM description (last bytes: \(last)): "
                    + "it was cut short, or bytes follow it; QEMU fails while loading it",
                libvirt: profile.streamLoadFailure(truncated: true), offset: image.fileSize)]
        case .notChecked:
            return [RestoreVerdict.Reason(
                .streamBodyNotChecked, .cannotTell,
                "check not made: the \(format) stream (\(image.streamLength) bytes) was not decoded, so whether QEMU "
                    + "can load it to the end is not known; `--deep` decodes and walks it")]
        }
    }

    /// The reasons a walk of the whole stream gives.
    func walkReasons(_ walk: StreamWalkResult) -> [RestoreVerdict.Reason] {
        guard let report = walk.report else {
            return [RestoreVerdict.Reason(.streamDamaged, .restoreFails,
                                          "the stream could not be checked: \(walk.error.map { "\($0)" } ?? "?")")]
        }
        if let problem = report.problems.first {
            let truncated = problem.found.contains("truncated")
            return [RestoreVerdict.Reason(
                truncated ? .streamTruncated : .streamDamaged, .restoreFails,
                "the \(report.format) stream is damaged: \(problem.message)",
                libvirt: profile.streamLoadFailure(truncated: truncated), offset: problem.fileOffset)]
        }
        if !report.stream.reachedEOF {
            return [RestoreVerdict.Reason(.streamTruncated, .restoreFails,
                                          "the \(report.format) stream ends before QEMU_VM_EOF",
                                          libvirt: profile.streamLoadFailure(truncated: true))]
        }
        var reasons: [RestoreVerdict.Reason] = []
        if report.trailingBytes > 0 {
            reasons.append(RestoreVerdict.Reason(.streamTailNotChecked, .info,
                "\(report.trailingBytes) bytes follow the stream's end (QEMU stops reading at QEMU_VM_EOF)"))
        }
        reasons.append(RestoreVerdict.Reason(.streamWalked, .info,
            "the whole \(report.format) stream (\(report.rawStreamBytes) bytes decoded) reads to QEMU_VM_EOF"))
        return reasons
    }
}
