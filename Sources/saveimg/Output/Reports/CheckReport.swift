import SaveImage

/// `saveimg check --json`: one line per image.
enum CheckReport {
    /// `check` without --deep, as JSON: the metadata reads and the stream's first bytes.
    struct Shallow: Encodable {
        struct Stream: Encodable {
            var kind: String
            var machineType: String?
        }
        var file: String
        /// False when one of the O(1) checks verify makes of the file itself fails.
        var ok: Bool
        var deep = false
        var stream: Stream
        /// Why `ok` is false (verify's reasons, severity `restore_fails`); empty when ok.
        var findings: [FindingReport]

        init(file: String, ok: Bool, stream: Stream, findings: [FindingReport]) {
            self.file = file
            self.ok = ok
            self.stream = stream
            self.findings = findings
        }
    }

    /// `check --deep`, as JSON: ``DeepCheckReport`` with the common keys
    /// (`file`, `findings`, extension indexes from 1).
    struct Deep: Encodable {
        struct Seal: Encodable {
            /// The digest stored, under its glossary name: `state_sha256` (guest-state-v1) or `stream_sha256`.
            var stateSha256: String?
            var streamSha256: String?
            var bytes: UInt64?
            var extensionIndex: Int?
            /// `stream-sha256` or `guest-state-v1`.
            var digest: String
        }
        var file: String
        var ok: Bool
        var deep = true
        var format: String
        var streamOffset: UInt64
        /// The stream's size in the file (`stream.size` in inspect).
        var streamSize: UInt64
        var rawStreamBytes: UInt64
        /// SHA-256 of the raw (decompressed) stream.
        var streamSha256: String
        /// The guest-state digest (the same for one saved state in every format), when the walk completed.
        var stateSha256: String?
        var stream: MigrationStreamSummary
        var trailingBytes: UInt64
        var findings: [FindingReport]
        var seal: Seal?
        var sealMatches: Bool?

        init(_ report: DeepCheckReport) {
            file = report.path
            ok = report.isValid
            format = report.format
            streamOffset = report.streamOffset
            streamSize = report.streamBytes
            rawStreamBytes = report.rawStreamBytes
            streamSha256 = report.sha256
            stateSha256 = report.stateSha256
            stream = report.stream
            trailingBytes = report.trailingBytes
            findings = report.problems.map(FindingReport.init)
            if report.isValid && report.seal == nil {
                // A passing walk of an unsealed image: the page contents are not proven (a seal proves them).
                findings.append(FindingReport(code: "page_contents_not_proven", severity: .info,
                                              message: SaveImg.Check.unsealedNote))
            }
            seal = report.seal.map { Seal(stateSha256: $0.digest.rawValue == "stream-sha256" ? nil : $0.sha256,
                                          streamSha256: $0.digest.rawValue == "stream-sha256" ? $0.sha256 : nil, bytes: $0.bytes, extensionIndex: $0.extensionIndex.map { $0 + 1 },
                                          digest: $0.digest.rawValue) }
            sealMatches = report.sealMatches
        }
    }
}
