extension RestoreVerifier {
    /// Damage only the stream shows. Raw and sparse: the end of the file is
    /// checked in O(1) (QEMU_VM_EOF + VM description). Compressed: only with
    /// ``deep`` (decompress and walk everything); otherwise an info reason
    /// says the body was not checked.
    func streamReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        let format = image.effectiveFormat
        guard image.streamLength > 0, profile.canRestore(format: format) else { return [] }
        if image.findings.contains(where: { $0.code == .streamMissing || $0.code == .formatStreamMismatch }) { return [] }
        if deep { return deepReasons(image) }
        switch StreamEvidence.tail(of: image) {
        case .complete(_, _, let trailing):
            var reasons: [RestoreVerdict.Reason] = []
            if trailing > 0 {
                reasons.append(RestoreVerdict.Reason(.streamTailNotChecked, .info,
                    "\(trailing) bytes follow the stream's VM description (QEMU stops reading at QEMU_VM_EOF)"))
            }
            if format == .sparse {
                // Hook for sparse (mapped-ram) parsing: the page regions between the
                // RAM headers and the device state are not looked at here.
                reasons.append(RestoreVerdict.Reason(.streamBodyNotChecked, .info,
                    "sparse stream: its end (QEMU_VM_EOF and VM description) is intact; the RAM page regions were not checked"))
            }
            return reasons
        case .incomplete(let last):
            return [RestoreVerdict.Reason(
                .streamTruncated, .restoreFails,
                "the \(format) stream does not end with QEMU_VM_EOF and the VM description (last bytes: \(last)): "
                    + "it was cut short, or bytes follow it; QEMU fails while loading it",
                libvirt: profile.streamLoadFailure(truncated: true), offset: image.fileSize)]
        case .notChecked:
            return [RestoreVerdict.Reason(
                .streamBodyNotChecked, .info,
                "the \(format) stream's body was not checked (it must be decompressed): run `saveimg verify --deep`")]
        }
    }

    /// `--deep`: the whole stream decoded and walked to QEMU_VM_EOF.
    func deepReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        let report: DeepCheckReport
        do { report = try DeepCheck.run(image: image, progress: progress) } catch {
            return [RestoreVerdict.Reason(.streamDamaged, .restoreFails, "the stream could not be checked: \(error)")]
        }
        if let problem = report.problems.first {
            return [RestoreVerdict.Reason(
                .streamDamaged, .restoreFails,
                "the \(report.format) stream is damaged: \(problem.message)",
                libvirt: profile.streamLoadFailure(truncated: problem.found.contains("truncated")), offset: problem.fileOffset)]
        }
        if !report.stream.reachedEOF {
            return [RestoreVerdict.Reason(.streamTruncated, .restoreFails,
                                          "the \(report.format) stream ends before QEMU_VM_EOF",
                                          libvirt: profile.streamLoadFailure(truncated: true))]
        }
        return [RestoreVerdict.Reason(.streamBodyNotChecked, .info,
            "--deep: the whole \(report.format) stream (\(report.rawStreamBytes) bytes decoded) reads to QEMU_VM_EOF")]
    }
}
