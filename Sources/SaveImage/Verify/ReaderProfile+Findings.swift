extension ReaderProfile {
    /// How this release meets one of the reader's findings: the reason with
    /// its severity, this release's words and the hint; nil when this release
    /// never looks at what the finding is about (a cookie, before 3.5.0), or
    /// when the verifier judges it from the release's tables instead (the
    /// format, ``formatRestoreReasons``; the cookie CPU model, the CPU checks).
    public func reason(for finding: Finding) -> RestoreVerdict.Reason? {
        if finding.concernsCookie && !readsCookie { return nil }
        switch finding.code {
        case .formatUnsupported, .cpuModelMismatch: return nil
        default: break
        }
        return RestoreVerdict.Reason(VerifyCode(finding.code), finding.severity, finding.message,
                                     libvirt: libvirtMessage(for: finding), offset: finding.offset)
    }

    /// What this release prints for a finding, from its payload.
    func libvirtMessage(for finding: Finding) -> String? {
        switch finding.payload {
        case .streamMissing(let format) where format == .raw || format == .sparse:
            // 12.8 (measured): the restore waits for a stream that never comes.
            return behaviourRelease >= LibvirtVersion(12, 8, 0) ? "restore hangs" : notAMigrationStreamMessage
        case .streamMissing:
            return "restore hangs waiting for the decompressor"
        case .streamMismatch(let header, let found):
            if header == .raw { return notAMigrationStreamMessage }
            return found == .raw ? "restore hangs" : "\(StreamFormat.named(header)?.program ?? "decompressor") -dc fails"
        case .cookieXML(let line, let message):
            return cookieParseMessage(line: line, message: message)
        case .cookieRefused(let message):
            return message
        case .format, .cpuModels, .none:
            return finding.libvirtMessage
        }
    }

    /// QEMU's "Not a migration stream" as this release reports it: 7.0 and 9.0
    /// pass QEMU's line on; from 11.3 (`-incoming defer`) it is the migration
    /// job's error (measured).
    var notAMigrationStreamMessage: String {
        behaviourRelease >= LibvirtVersion(11, 3, 0) ? streamLoadFailure(truncated: false) : "Not a migration stream"
    }

    /// libxml2's error on the cookie as this release words it: `(save
    /// cookie):N: ...` (7.0, 9.0), `at line N: ...` (11.3, 12.8; measured).
    func cookieParseMessage(line: Int, message: String) -> String {
        xmlParseMessage(document: "save cookie", line: line, message: message)
    }

    /// libxml2's first error on a document libvirt parses (`domain_definition`,
    /// `save cookie`) as this release words it: `(document):N: ...` (7.0,
    /// 9.0), `at line N: ...` (11.3, 12.8); measured for the domain XML by
    /// scripts/lab/xml-error-messages.sh on the four labs.
    func xmlParseMessage(document: String, line: Int, message: String) -> String {
        behaviourRelease >= LibvirtVersion(11, 3, 0) ? "at line \(line): \(message)" : "(\(document)):\(line): \(message)"
    }

    /// A reader error's libvirt message as this release prints it (the reader
    /// words it as 9.0 does): a malformed document's `(name):N: ...` is reworded.
    public func readErrorMessage(_ message: String?) -> String? {
        guard let message, let match = message.wholeMatch(of: #/\((domain_definition|save cookie)\):([0-9]+): (.*)/#),
              let line = Int(match.output.2) else { return message }
        return xmlParseMessage(document: String(match.output.1), line: line, message: String(match.output.3))
    }
}
