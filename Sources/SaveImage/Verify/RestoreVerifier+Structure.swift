extension RestoreVerifier {
    /// The reader's findings as the target release meets them, and the format.
    func structureReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        var reasons = image.findings.compactMap(profile.reason(for:))
        let format = image.effectiveFormat
        if format.name == nil {
            // Not a format of any libvirt: no release restores it, no convert reads it.
            reasons.append(RestoreVerdict.Reason(
                .formatUnknown, .restoreFails,
                "format \(format.labeled) is none of the formats libvirt defines ("
                    + CompressionFormat.known.map(\.description).joined(separator: ", ") + ")",
                libvirt: profile.unsupportedFormatMessage(format), offset: 28))
        } else if !profile.canRestore(format: format) {
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
