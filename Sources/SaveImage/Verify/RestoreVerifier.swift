/// Decides whether a save image will restore on a target: a libvirt
/// generation (``ReaderProfile``), optionally a target host CPU
/// (``TargetHost``) and a replacement domain XML (`virsh restore --xml`).
///
/// Reuses the image reader's checks (``SaveImage/findings``, which follow
/// libvirt 9.0) and adapts them to the target generation; adds the CPU checks
/// libvirt makes at restore and the ABI check of a replacement XML.
/// Reads no stream bytes beyond what ``SaveImage`` already read.
public struct RestoreVerifier: Sendable {
    public var profile: ReaderProfile
    public var host: TargetHost?
    /// A replacement domain XML, as `virsh restore --xml` would get it.
    public var replacementDomain: DomainSummary?

    public init(profile: ReaderProfile = .libvirt90, host: TargetHost? = nil, replacementDomain: DomainSummary? = nil) {
        self.profile = profile
        self.host = host
        self.replacementDomain = replacementDomain
    }

    /// Reads the image at `path` and verifies it; a file libvirt would refuse
    /// to read gives an ``RestoreVerdict/Outcome/invalid`` verdict.
    public func verify(path: String) -> RestoreVerdict {
        do {
            return verify(try SaveImage(contentsOf: path))
        } catch {
            return verdict(forReadError: error)
        }
    }

    /// Verifies an image already read.
    public func verify(_ image: SaveImage) -> RestoreVerdict {
        var reasons = structureReasons(image)
        reasons += cpuReasons(image)
        reasons += abiReasons(image)
        return RestoreVerdict(target: targetDescription, reasons: reasons)
    }

    /// What the verdict is for, e.g. `libvirt 9.0.0 (measured) on lab.xml`.
    public var targetDescription: String {
        var text = "\(profile.name) (\(profile.basis.rawValue))"
        if let host { text += " on \(host.source)" }
        return text
    }

    func verdict(forReadError error: SaveImageError) -> RestoreVerdict {
        var libvirtMessage = error.libvirtMessage
        if error.code == .cookieOffsetPastDataLength { libvirtMessage = profile.cookieOffsetPastDataLengthOutcome }
        let reason = RestoreVerdict.Reason(
            code: error.code.rawValue, severity: .restoreFails, message: error.description,
            libvirtMessage: libvirtMessage, hint: Self.hints[error.code.rawValue])
        return RestoreVerdict(target: targetDescription, reasons: [reason], readError: error)
    }
}
