import SaveImage

/// One line of `saveimg scan`: a save image and its verdict, or why it could
/// not be read. Encoded as one JSON line (`--json`); keys are documented in
/// the README and stable.
struct ScanRecord: Encodable, Sendable {
    /// The scan's answer for one image, worst last.
    enum Verdict: String, Encodable, Sendable, CaseIterable {
        /// libvirt reads and restores it; nothing to report beyond info.
        case ok
        /// libvirt restores it, but something is off.
        case warning
        /// libvirt reads it, but restore would fail, hang or crash.
        case restoreFails = "restore_fails"
        /// libvirt refuses to read it.
        case invalid
        /// The file could not be opened or read.
        case unreadable

        init(_ outcome: RestoreVerdict.Outcome) {
            switch outcome {
            case .restorable: self = .ok
            case .restorableWithWarnings: self = .warning
            case .willFail: self = .restoreFails
            case .invalid: self = .invalid
            }
        }
    }

    struct Problem: Encodable, Sendable {
        var code: String
        var severity: String
        var message: String
    }

    var type = "image"
    var file: String
    var verdict: Verdict
    var fileSize: UInt64?
    var domain: String?
    var uuid: String?
    /// `running` or `paused`: what restore resumes to (the header's was_running).
    var state: String?
    var wasRunning: UInt32?
    var format: String?
    /// Cookie CPU vs domain CPU, e.g. `+pclmuldq +hypervisor`; `none` when equal.
    var cpuDelta: String?
    var cpuDifference: CPUDifference?
    /// Findings (or verifier reasons) that are not just informational.
    var problems: [Problem]
    var error: ErrorReport.Detail?

    init(path: String, image: SaveImage, verdict: Verdict, problems: [Problem]) {
        file = path
        self.verdict = verdict
        fileSize = image.fileSize
        domain = image.domain.name
        uuid = image.domain.uuid
        wasRunning = image.header.wasRunning
        state = image.header.wasRunning == 0 ? "paused" : "running"
        format = image.header.format.description
        if image.cookie?.cpu == nil {
            cpuDelta = "no cookie cpu"
        } else {
            cpuDifference = image.cpuDifference
            cpuDelta = image.cpuDifference.summary
        }
        self.problems = problems
    }

    init(path: String, size: UInt64?, verdict: Verdict, error: SaveImageError) {
        file = path
        self.verdict = verdict
        fileSize = size
        problems = []
        self.error = ErrorReport(path: path, error: error).error
    }
}

extension ScanRecord {
    /// Looks at one file: nil when it is not a save image (skipped quietly).
    /// The verdict is ``RestoreVerifier``'s for libvirt 9.0 (the same checks
    /// as `saveimg verify` without a target host).
    static func scanning(path: String, size: UInt64, verifier: RestoreVerifier = RestoreVerifier()) -> ScanRecord? {
        switch SaveImage.probe(path: path) {
        case .notSaveImage:
            return nil
        case .image(let image):
            let verdict = verifier.verify(image)
            let problems = verdict.reasons.filter { $0.severity > .info }
                .map { Problem(code: $0.code.rawValue, severity: $0.severity.rawValue, message: $0.message) }
            return ScanRecord(path: path, image: image, verdict: Verdict(verdict.outcome), problems: problems)
        case .invalid(let error):
            return ScanRecord(path: path, size: size, verdict: .invalid, error: error)
        case .unreadable(let error):
            return ScanRecord(path: path, size: nil, verdict: .unreadable, error: error)
        }
    }
}

/// The last line of `saveimg scan`: counts per verdict.
struct ScanSummary: Encodable, Sendable {
    var type = "summary"
    /// Save images found (every verdict, including invalid).
    var images = 0
    /// Files that are not save images.
    var skipped = 0
    var ok = 0
    var warning = 0
    var restoreFails = 0
    var invalid = 0
    var unreadable = 0
    /// Sum of the save images' sizes in bytes.
    var totalBytes: UInt64 = 0

    mutating func count(_ record: ScanRecord) {
        if record.verdict != .unreadable { images += 1 }
        let (sum, overflow) = totalBytes.addingReportingOverflow(record.fileSize ?? 0)
        totalBytes = overflow ? .max : sum
        switch record.verdict {
        case .ok: ok += 1
        case .warning: warning += 1
        case .restoreFails: restoreFails += 1
        case .invalid: invalid += 1
        case .unreadable: unreadable += 1
        }
    }
}
