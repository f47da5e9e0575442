extension RestoreVerifier {
    /// The checks of the file itself that `verify` makes in O(1), whatever
    /// the target (`saveimg check` without `--deep`): a format libvirt never
    /// defined, a missing stream or one whose first bytes contradict the
    /// format, and, for a raw or sparse stream, its end (QEMU_VM_EOF and the
    /// VM description; a stream cut short fails to load). Only the reasons
    /// that make a restore fail are returned; the body of the stream is not
    /// walked (``DeepCheck`` does).
    public static func wholenessReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        // The newest release restores every format libvirt defines, so only an
        // undefined one is refused; no target host, nothing walked.
        var verifier = RestoreVerifier(profile: .current)
        verifier.automaticDeepLimit = 0
        let reasons = verifier.structureReasons(image) + verifier.streamReasons(image, walk: nil)
        return reasons.filter { $0.severity >= .restoreFails }
    }
}
