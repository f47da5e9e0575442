extension RestoreVerifier {
    /// The reader's findings, adapted to the target release, and the format.
    func structureReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        var reasons: [RestoreVerdict.Reason] = []
        for finding in image.findings {
            switch finding.code {
            case .formatUnsupported, .cpuModelMismatch:
                continue  // decided per profile below / by the CPU checks
            case _ where finding.code.rawValue.hasPrefix("cookie_") && !profile.readsCookie:
                continue
            default:
                reasons.append(RestoreVerdict.Reason(VerifyCode(finding: finding.code.rawValue), finding.severity, finding.message,
                                                     libvirt: finding.libvirtMessage.map(profile.adapted), offset: finding.offset))
            }
        }
        let format = image.effectiveFormat
        if !profile.canRestore(format: format) {
            var message = "format \(format.labeled) is not one \(profile.name) can restore"
            if let since = ReaderProfile.firstRelease(restoring: format) { message += " (libvirt restores it from \(since))" }
            reasons.append(RestoreVerdict.Reason(.formatUnsupported, .restoreFails, message,
                                                 libvirt: profile.unsupportedFormatMessage(format), offset: 28))
        }
        if !profile.readsCookie, image.libvirtReadsCookie, image.cookie?.cpu != nil {
            reasons.append(RestoreVerdict.Reason(
                .cookieIgnored, .info,
                "\(profile.name) predates the save cookie (\(ReaderProfile.cookieSince)): it restores with the domain XML's CPU"))
        }
        if let note = profile.resolutionNote {
            reasons.append(RestoreVerdict.Reason(.profileNearest, .info, note))
        }
        return reasons
    }
}
