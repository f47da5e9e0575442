extension RestoreVerifier {
    /// Fix hints by reason code.
    static let hints: [String: String] = [
        "format_unsupported": "restore on a libvirt that supports this format, or rewrite the stream raw (decompress it and set format 0)",
        "format_stream_mismatch": "set the header's format to match the stream",
        "stream_missing": "the guest's memory is not in the file; the image cannot be restored",
        "cookie_empty": "point cookieOffset at the cookie or set it to 0 (`saveimg add-cpu-ext` rewrites it)",
        "cookie_invalid": "rewrite the cookie with `saveimg add-cpu-ext`, or set cookieOffset to 0",
        "cookie_offset_past_data_len": "set cookieOffset to the cookie's offset or 0 before restoring",
        "incomplete_save": "the save never completed; the image cannot be restored",
        "cpu_unknown_feature": "remove the feature or restore on a newer libvirt; to keep old readers working, keep the domain XML's CPU as defined and put the updated CPU in the cookie (`saveimg add-cpu-ext --from-domain`)",
        "cpu_unknown_model": "restore on a libvirt that knows the model, or define the domain with a model it knows",
        "cpu_missing_features": "restore on a host that has the features; if the domain XML holds QEMU's updated CPU, move it into the cookie (`saveimg add-cpu-ext --from-domain`)",
        "cpu_extra_features": "put the CPU QEMU runs for this model into the cookie (`saveimg add-cpu-ext`) or keep the cookie model equal to the domain's",
        "cpu_model_differs": "keep the cookie's CPU model equal to the domain XML's (`saveimg add-cpu-ext`)",
        "abi_mismatch": "keep the replacement XML ABI-compatible (same memory, vCPUs, CPU, machine, devices)",
    ]

    /// The reader's findings, adapted to the target generation.
    func structureReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        var reasons: [RestoreVerdict.Reason] = []
        for finding in image.findings {
            switch finding.code {
            case .formatUnsupported, .cpuModelMismatch:
                continue  // decided per profile below / by the CPU checks
            case _ where finding.code.rawValue.hasPrefix("cookie_") && !profile.readsCookie:
                continue
            default:
                reasons.append(RestoreVerdict.Reason(
                    code: finding.code.rawValue, severity: finding.severity, message: finding.message,
                    libvirtMessage: finding.libvirtMessage, hint: Self.hints[finding.code.rawValue]))
            }
        }
        let format = image.effectiveFormat
        if !profile.canRestore(format: format) {
            reasons.append(RestoreVerdict.Reason(
                code: "format_unsupported", severity: .restoreFails,
                message: "format \(format) (\(format.rawValue)) is not one \(profile.name) can restore",
                libvirtMessage: profile.unsupportedFormatMessage(format), hint: Self.hints["format_unsupported"]))
        }
        if !profile.readsCookie, image.libvirtReadsCookie, image.cookie?.cpu != nil {
            reasons.append(RestoreVerdict.Reason(
                code: "cookie_ignored", severity: .info,
                message: "\(profile.name) predates the save cookie (\(ReaderProfile.cookieSince)): it restores with the domain XML's CPU"))
        }
        if profile.basis == .assumed {
            reasons.append(RestoreVerdict.Reason(
                code: "profile_assumed", severity: .info,
                message: "\(profile.name) was neither measured nor read; assumed to behave like the nearest known release"))
        }
        return reasons
    }
}
