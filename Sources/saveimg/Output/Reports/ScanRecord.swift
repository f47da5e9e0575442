import SaveImage
#if canImport(Glibc)
import Glibc
#endif

/// One line of `saveimg scan`: a save image and its verdict, or why it could
/// not be read. Encoded as one JSON line (`--json`); keys are documented in
/// the README and stable.
struct ScanRecord: Encodable, Sendable {
    /// The scan's answer for one image, on the one scale: `ok`, `warning`,
    /// `restore_fails`, `invalid` (libvirt refuses to read it) or `unreadable`.
    typealias Verdict = Severity

    var type = "image"
    var file: String
    var verdict: Verdict
    var fileSize: UInt64?
    /// Bytes the file occupies on disk (st_blocks × 512): less than
    /// `fileSize` for a sparse image, the measure of what it costs.
    var allocatedBytes: UInt64?
    /// The domain's name and UUID, under the same key as in `inspect` (a subset of its object).
    var domain: Domain?

    /// `domain` in scan's line: the name and UUID from the domain XML.
    struct Domain: Encodable, Sendable {
        var name: String?
        var uuid: String?
    }
    /// `running` or `paused`: what restore resumes to (the header's was_running).
    var state: String?
    var wasRunning: UInt32?
    var format: String?
    /// Cookie CPU vs domain CPU, e.g. `+pclmuldq +hypervisor`; `none` when equal.
    var cpuDelta: String?
    var cpuDifference: CPUDifference?
    /// The verdict's reasons that are not just informational.
    var findings: [FindingReport]
    var error: ErrorDetail?
    /// `scan --forecast`: when QEMU will refuse the image's machine type.
    var forecast: MachineForecast?

    init(path: String, image: SaveImage, verdict: Verdict, findings: [FindingReport]) {
        file = path
        self.verdict = verdict
        fileSize = image.fileSize
        domain = Domain(name: image.domain.name, uuid: image.domain.uuid)
        wasRunning = image.header.wasRunning
        state = image.header.wasRunning == 0 ? "paused" : "running"
        format = image.header.format.description
        // One rule with inspect and diff-cpu: no cookie <cpu>, an empty difference.
        cpuDifference = image.cpuDifference
        cpuDelta = image.cookie?.cpu == nil ? "no cookie cpu" : image.cpuDifference.summary
        self.findings = findings
    }

    init(path: String, size: UInt64?, verdict: Verdict, error: SaveImageError) {
        file = path
        self.verdict = verdict
        fileSize = size
        findings = []
        self.error = ErrorDetail(error)
    }
}

extension ScanRecord {
    /// Looks at one file: nil when it is not a save image (skipped quietly).
    /// The verdict is ``RestoreVerifier``'s for libvirt 9.0 (the same checks
    /// as `saveimg verify` without a target host).
    static func scanning(path: String, size: UInt64, verifier: RestoreVerifier = RestoreVerifier(),
                         forecast: Bool = false) -> ScanRecord? {
        switch SaveImage.probe(path: path) {
        case .notSaveImage:
            return nil
        case .image(let image):
            let verdict = verifier.verify(image)
            let findings = verdict.reasons.filter { $0.severity > .info }.map(FindingReport.init)
            var record = ScanRecord(path: path, image: image, verdict: verdict.outcome.severity, findings: findings)
            record.allocatedBytes = diskUsage(path)
            if forecast { record.forecast = MachineForecast(image: image, verdict: verdict) }
            return record
        case .invalid(let error):
            // libvirt's message as the target release prints it (verify's words for the same file).
            var worded = error
            worded.libvirtMessage = verifier.profile.readErrorMessage(error.libvirtMessage)
            var record = ScanRecord(path: path, size: size, verdict: .invalid, error: worded)
            record.allocatedBytes = diskUsage(path)
            return record
        case .unreadable(let error):
            return ScanRecord(path: path, size: nil, verdict: .unreadable, error: error)
        }
    }
}

/// When QEMU stops registering an image's machine type (``MachineTypeLifecycle``):
/// `scan --forecast`, `verify --json`.
struct MachineForecast: Encodable, Sendable {
    /// The machine type (`pc-i440fx-5.2`), canonical when the target's capabilities name an alias.
    var machine: String
    /// The first QEMU release that marks it deprecated.
    var deprecatedFrom: String?
    /// The first QEMU release that refuses it: restore the image before upgrading to it.
    var refusedFrom: String?
    /// Whether the target marks it deprecated (its capabilities, or the rule for its QEMU).
    var deprecatedOnTarget: Bool
    /// The rule's source.
    var source: String?

    init?(image: SaveImage, verdict: RestoreVerdict) {
        guard let machine = image.domain.machine ?? image.streamPrelude?.machineType else { return nil }
        self.machine = machine
        let lifecycle = MachineTypeLifecycle(machine: machine)
        deprecatedFrom = lifecycle?.deprecatedFrom.shortDescription
        refusedFrom = lifecycle?.refusedFrom.shortDescription
        source = lifecycle == nil ? nil : MachineTypeLifecycle.source
        deprecatedOnTarget = verdict.reasons.contains { $0.code == .machineDeprecated }
    }
}

extension LibvirtVersion {
    /// `11.2` for 11.2.0 (QEMU releases are named by major.minor).
    var shortDescription: String { micro == 0 ? "\(major).\(minor)" : description }
}

/// The last line of `saveimg scan`: counts per verdict.
struct ScanSummary: Encodable, Sendable {
    var type = "summary"
    /// Entries listed, one `type: image` line each: the sum of the verdict
    /// counts (`ok` + `warning` + `cannot_tell` + `restore_fails` + `invalid` + `unreadable`).
    var images = 0
    /// Files that are not save images.
    var skipped = 0
    var ok = 0
    var warning = 0
    /// Images with no answer: a check libvirt makes at restore was not made.
    var cannotTell = 0
    var restoreFails = 0
    var invalid = 0
    var unreadable = 0
    /// Sum of the save images' sizes in bytes.
    var totalBytes: UInt64 = 0

    mutating func count(_ record: ScanRecord) {
        images += 1
        let (sum, overflow) = totalBytes.addingReportingOverflow(record.fileSize ?? 0)
        totalBytes = overflow ? .max : sum
        switch record.verdict {
        case .ok, .info: ok += 1
        case .warning: warning += 1
        case .cannotTell: cannotTell += 1
        case .restoreFails: restoreFails += 1
        case .invalid: invalid += 1
        case .unreadable: unreadable += 1
        }
    }

}

/// st_blocks × 512 of `path` (what the file occupies on disk), or nil when it cannot be stat'ed.
func diskUsage(_ path: String) -> UInt64? { FileStatus(following: path)?.allocatedBytes }
