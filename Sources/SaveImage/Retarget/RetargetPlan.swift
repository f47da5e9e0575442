/// What `saveimg retarget` does to make an image restore on a target: the
/// safe rewrites, or the reasons no rewrite can help. Built from
/// ``RestoreVerifier``'s verdict for that target.
///
/// Safe rewrites change only how the image is stored or where libvirt finds
/// the CPU, never the guest: the stream's format (to one the target restores;
/// to sparse when asked and the target restores it in parallel), and QEMU's
/// updated CPU moved from the domain XML into the cookie (as `add-cpu-ext
/// --from-domain`, given the CPU as defined). Everything that is guest ABI
/// (machine type, RAM size, CPU model, XML the target cannot parse) or damage
/// (a cut or corrupt stream) is refused with the verdict's reason.
public struct RetargetPlan: Sendable {
    /// One rewrite.
    public enum Step: Hashable, Sendable {
        /// Rewrite the stream in `format` (``SaveImageConverter``).
        case convert(from: CompressionFormat, to: CompressionFormat)
        /// Move the domain XML's (updated) CPU into the cookie and put the CPU as defined back.
        case moveCPUToCookie

        /// Where the step stands in a plan: the CPU move (metadata) before
        /// the conversion (stream). A rank, so the sort is a strict weak order.
        var rank: Int {
            switch self {
            case .moveCPUToCookie: 0
            case .convert: 1
            }
        }
    }

    public var steps: [Step]
    /// Reasons that no rewrite fixes; non-empty means retarget refuses.
    public var refusals: [RestoreVerdict.Reason]
    /// The verdict the plan was made from.
    public var verdict: RestoreVerdict

    /// The plan for `image` on `verifier`'s target. `format`: a format asked
    /// for (nil: only what the target needs); `haveOriginalCPU`: whether the
    /// CPU as defined is at hand for moving the updated one into the cookie.
    ///
    /// The plan judges the device state and firmware as `verify` does (the
    /// target's vmstate descriptions, virtqueue limits, firmware files): a
    /// compressed stream above ``RestoreVerifier/automaticDeepLimit`` whose
    /// device state a bounded read cannot reach is decoded for the plan (a
    /// rewrite decodes it anyway), so that no plan rests on an unchecked
    /// device state.
    public static func make(for image: SaveImage, verifier: RestoreVerifier, format requested: CompressionFormat? = nil,
                            haveOriginalCPU: Bool = false) -> RetargetPlan {
        var verdict = verifier.verify(image)
        if !verifier.deep, verdict.outcome == .cannotTell,
           verdict.checksNotMade.contains(where: { $0.code == .streamBodyNotChecked || $0.code.rawValue == "device_state_not_checked" }) {
            var deep = verifier
            deep.deep = true
            let walked = deep.verify(image)
            if walked.checksNotMade.count < verdict.checksNotMade.count || walked.outcome != .cannotTell { verdict = walked }
        }
        var steps: [Step] = []
        var refusals: [RestoreVerdict.Reason] = []
        let source = image.effectiveFormat
        let profile = verifier.profile
        if let requested {
            if !profile.canRestore(format: requested) {
                refusals.append(RestoreVerdict.Reason(
                    .formatUnsupported, .restoreFails,
                    "\(requested) was asked for, but \(profile.name) does not restore it"
                        + (ReaderProfile.firstRelease(restoring: requested).map { " (libvirt does from \($0))" } ?? ""),
                    libvirt: profile.unsupportedFormatMessage(requested)))
            } else if requested != source {
                steps.append(.convert(from: source, to: requested))
            }
        }
        for reason in verdict.reasons where reason.severity == .restoreFails {
            switch reason.code {
            case .formatUnsupported:
                guard requested == nil else { continue }
                // Keep a compressed stream compressed (gzip: every libvirt restores it); sparse and unknown -> raw.
                let target: CompressionFormat = source == .sparse || source.rawValue > 6 ? .raw : .gzip
                steps.append(.convert(from: source, to: target))
            case .cpuMissingFeatures, .cpuUnknownFeature, .cpuExtraFeatures:
                // Fixable only when the CPU libvirt checks is QEMU's updated one left in the domain XML
                // (the 2017 regression); a cookie CPU the target lacks features of is not.
                guard verifier.restoreCPU(of: image)?.origin == "domain XML", image.domain.cpu?.check != nil else {
                    refusals.append(reason)
                    continue
                }
                if haveOriginalCPU {
                    steps.append(.moveCPUToCookie)
                } else {
                    var refusal = reason
                    refusal.message += " (moving QEMU's updated CPU into the cookie needs the CPU as defined: --original-cpu ORIG.xml)"
                    refusals.append(refusal)
                }
            default:
                refusals.append(reason)
            }
        }
        if verdict.readError != nil, refusals.isEmpty, let first = verdict.reasons.first { refusals.append(first) }
        return RetargetPlan(steps: Self.ordered(steps), refusals: refusals, verdict: verdict)
    }

    /// Each step once (several CPU reasons ask for the same move; a format
    /// asked for and one the target needs for the same conversion), at most
    /// one conversion (the first asked for wins: a stream is written once), in
    /// ``Step/rank`` order (stable among equals).
    static func ordered(_ steps: [Step]) -> [Step] {
        var unique: [Step] = []
        for step in steps where !unique.contains(step) {
            if case .convert = step, unique.contains(where: { $0.rank == step.rank }) { continue }
            unique.append(step)
        }
        return unique.enumerated().sorted { ($0.element.rank, $0.offset) < ($1.element.rank, $1.offset) }.map(\.element)
    }

    /// The check of a written output (retarget's last step): `verify` of
    /// the new file against the same target, its stream decoded and walked
    /// whatever its size (`--deep`), so that the device-state and firmware
    /// checks the plan made are made on the bytes written.
    public static func verifyOutput(path: String, verifier: RestoreVerifier) -> RestoreVerdict {
        var deep = verifier
        deep.deep = true
        return deep.verify(path: path)
    }

    /// What a step does, for reports.
    public static func describe(_ step: Step) -> String {
        switch step {
        case .convert(let from, let to): "convert the stream from \(from) to \(to)"
        case .moveCPUToCookie: "move QEMU's updated CPU from the domain XML into the cookie (as add-cpu-ext --from-domain)"
        }
    }
}
