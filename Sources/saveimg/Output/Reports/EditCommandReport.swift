import SaveImage

/// `saveimg edit --json`: one object saying what the edit did (never a
/// secret's value), or the findings when the edited XML was refused.
struct EditCommandReport: Encodable {
    struct Finding: Encodable {
        var code: String
        var severity: String
        var message: String
        var libvirtMessage: String?
        var offset: UInt64?
    }

    struct Change: Encodable {
        var old: UInt64
        var new: UInt64
    }

    var file: String
    var changed: Bool
    var domainXMLChanged: Bool
    var dryRun: Bool
    var strategy: String?
    var output: String?
    var wasRunning: Change?
    var dataLen: Change?
    var streamOffset: Change?
    var secretsKept: [String] = []
    var secretsReplaced: [String] = []
    var secretsDropped: [String] = []
    var findings: [Finding] = []

    init(file: String, domainXMLChanged: Bool, dryRun: Bool, result: ImageEditor.Result?, secrets: DomainSecrets.Kept?) {
        self.file = file
        self.domainXMLChanged = domainXMLChanged
        self.dryRun = dryRun
        changed = result.map { !$0.plan.isNoOp } ?? false
        if let plan = result?.plan {
            strategy = plan.strategy.rawValue
            output = plan.result.path == file ? nil : plan.result.path
            wasRunning = Change(old: UInt64(plan.original.header.wasRunning), new: UInt64(plan.result.header.wasRunning))
            dataLen = Change(old: UInt64(plan.original.header.dataLength), new: UInt64(plan.result.header.dataLength))
            streamOffset = Change(old: plan.original.streamOffset, new: plan.result.streamOffset)
        }
        secretsKept = secrets?.kept.map(\.location) ?? []
        secretsReplaced = secrets?.replaced.map(\.location) ?? []
        secretsDropped = secrets?.dropped.map(\.location) ?? []
    }

    /// A refused edit: the error as a finding: `restore_fails` for a guest-ABI
    /// change (libvirt would refuse the XML at restore), `invalid` for XML that does not parse.
    init(file: String, error: SaveImageError) {
        self.init(file: file, domainXMLChanged: true, dryRun: false, result: nil, secrets: nil)
        let severity = error.code == .editRejected ? "restore_fails" : "invalid"
        findings = [Finding(code: error.code.rawValue, severity: severity, message: error.description,
                            libvirtMessage: error.libvirtMessage, offset: error.offset)]
    }
}
