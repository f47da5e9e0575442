/// `saveimg retarget` as a library operation: verify an image against a
/// target, plan the safe rewrites (``RetargetPlan``), write them as ONE
/// staged output, and verify the result.
///
/// One output, whatever the plan: a stream conversion alone is written by
/// ``SaveImageConverter`` (a temporary file renamed over the destination);
/// the CPU moved into the cookie alone, by ``ImageEditor`` (in place under
/// the journal protocol, or a new file with an output path); both at once,
/// by the converter with the edited data region, so the input is never
/// edited first and converted after. A failure therefore leaves the input
/// as it was ("unchanged" is then true), and ``Result/inputChanged`` says
/// whether the input itself was rewritten (in place, on success).
///
/// ```swift
/// let result = try Retargeter(verifier: verifier).run(path: "vm.save")
/// print(result.outcome, result.after?.outcome as Any)
/// ```
public struct Retargeter: Sendable {
    /// The target.
    public var verifier: RestoreVerifier
    /// A stream format asked for (nil: only what the target needs).
    public var format: CompressionFormat?
    /// The CPU as defined, for moving QEMU's updated CPU into the cookie.
    public var originalCPU: XMLElement?
    /// Where the result goes (nil: the image itself, replaced crash-safely).
    public var output: String?
    /// Plan and verify only; write nothing.
    public var dryRun: Bool
    /// Options of the stream conversion, if one is made (its format is the plan's).
    public var conversion: ConversionRequest

    public init(verifier: RestoreVerifier, format: CompressionFormat? = nil, originalCPU: XMLElement? = nil,
                output: String? = nil, dryRun: Bool = false, conversion: ConversionRequest = ConversionRequest(format: .raw)) {
        self.verifier = verifier
        self.format = format
        self.originalCPU = originalCPU
        self.output = output
        self.dryRun = dryRun
        self.conversion = conversion
    }

    /// What a run came to.
    public enum Outcome: String, Sendable, Codable {
        /// Something no rewrite fixes: nothing written.
        case refused
        /// Nothing to rewrite: nothing written (the verdict says whether it restores there).
        case nothingToDo = "nothing_to_do"
        /// `dryRun`: the plan, nothing written.
        case planned
        /// The rewrites were written to ``Result/destination`` and verified.
        case written
    }

    /// What ``run(path:)`` did.
    public struct Result: Sendable {
        public var outcome: Outcome
        /// The plan, with the input's verdict.
        public var plan: RetargetPlan
        /// The file written (nil unless ``outcome`` is ``Outcome/written``).
        public var destination: String?
        /// The output's verdict against the same target (nil unless written).
        public var after: RestoreVerdict?
        /// Whether the input file itself was rewritten (in place, no output path).
        public var inputChanged: Bool
    }

    /// Plans, writes and verifies. Throws when the image cannot be read (the
    /// verifier's verdict for it is ``RestoreVerifier/verify(path:)``'s) or
    /// a write fails; either way the input and an output path are as before.
    public func run(path: String) throws(SaveImageError) -> Result {
        let image = try SaveImage(contentsOf: path)
        let plan = RetargetPlan.make(for: image, verifier: verifier, format: format, haveOriginalCPU: originalCPU != nil)
        if !plan.refusals.isEmpty { return Result(outcome: .refused, plan: plan, inputChanged: false) }
        if plan.steps.isEmpty { return Result(outcome: .nothingToDo, plan: plan, inputChanged: false) }
        if dryRun { return Result(outcome: .planned, plan: plan, inputChanged: false) }
        let destination = output ?? path
        if destination != path, PositionalFile.exists(destination) {
            throw SaveImageError(.editRejected, path: destination, field: "output", expected: "a path that does not exist",
                                 found: "an existing file (retarget does not overwrite it; remove it first or choose another)")
        }
        try write(plan, image: image, from: path, to: destination)
        return Result(outcome: .written, plan: plan, destination: destination, after: RetargetPlan.verifyOutput(path: destination, verifier: verifier),  // decoded whole: device state and stream
                      inputChanged: destination == path)
    }

    /// Writes every step of `plan` as one staged output.
    func write(_ plan: RetargetPlan, image: SaveImage, from path: String, to destination: String) throws(SaveImageError) {
        let target = plan.steps.lazy.compactMap { step -> CompressionFormat? in
            if case .convert(_, let to) = step { return to } else { return nil }
        }.first
        let moveCPU = plan.steps.contains(.moveCPUToCookie)
        guard let originalCPU = moveCPU ? originalCPU : nil else {
            // The stream only.
            guard let target else { return }
            var request = conversion
            request.format = target
            _ = try SaveImageConverter.convert(input: path, output: destination, request: request)
            return
        }
        guard let target else {
            // The metadata only: the editor's own protocol (in place under a journal, or a new file).
            let editor = ImageEditor(path: path, output: destination == path ? nil : destination)
            _ = try editor.run { (image) throws(SaveImageError) in try image.movingDomainCPUToCookie(originalCPU: originalCPU) }
            return
        }
        // Both: the edited data region goes into the converter's one staged output.
        let content = try image.movingDomainCPUToCookie(originalCPU: originalCPU)
        let edited = try WritePlan(editing: image, to: content, destination: path + ".retarget").result
        var request = conversion
        request.format = target
        _ = try SaveImageConverter.convert(input: path, output: destination, request: request, metadata: edited)
    }
}
