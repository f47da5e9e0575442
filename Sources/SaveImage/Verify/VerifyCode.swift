/// Why `saveimg verify` reached a verdict: one case per reason, each with its
/// stable snake_case name (``rawValue``, used in JSON and text) and the fix hint
/// (``hint``), which names a command that fixes it or says that none can.
public enum VerifyCode: Hashable, Sendable, Codable, CustomStringConvertible {
    // Format and stream.
    case formatUnsupported, formatUnknown, formatStreamMismatch, formatIgnored, streamMissing
    case streamTruncated, streamEndDamaged, streamBodyNotChecked, streamEndIntact, streamDamaged, streamTailNotChecked, streamWalked
    case streamCapabilityMismatch
    // Cookie and data region.
    case cookieEmpty, cookieInvalid, cookieUnterminated, cookieIgnored, documentsIgnored, gap
    case extensionPresent, extensionInvalid, paddingNotZero, bigEndian, wasRunningNonstandard, unusedWordsSet
    // Guest platform.
    case machineUnsupported, machineNotChecked, machineStreamDiffers, machineDeprecated, ramSizeMismatch, ramSizeNotChecked
    case xmlConstructUnsupported
    // CPU.
    case cpuUnknownFeature, cpuUnknownModel, cpuNameUncertain, cpuMissingFeatures, cpuExtraFeatures
    case cpuModelDiffers, cpuModelMismatch, cpuNotChecked, cpuHostNotChecked, cpuCheckNone, cpuArchCapabilities
    // Target libvirt and QEMU together.
    case pairingRestoresNothing
    // Target description.
    case profileNearest
    /// `virsh restore --xml`: an ABI difference; the label from libvirt's
    /// message (`domain_max_memory`, `cpu_model`, or empty).
    case abi(String)
    /// The image cannot be read at all (the reader's error).
    case unreadable(SaveImageError.Code)
    /// A reader finding this version of saveimg has no case for.
    case finding(String)

    static let simple: [(VerifyCode, String)] = [
        (.formatUnsupported, "format_unsupported"), (.formatUnknown, "format_unknown"),
        (.formatStreamMismatch, "format_stream_mismatch"),
        (.formatIgnored, "format_ignored"), (.streamMissing, "stream_missing"),
        (.streamTruncated, "stream_truncated"), (.streamEndDamaged, "stream_end_damaged"),
        (.streamBodyNotChecked, "stream_body_not_checked"), (.streamEndIntact, "stream_end_intact"),
        (.streamDamaged, "stream_damaged"),
        (.streamTailNotChecked, "stream_tail_not_checked"), (.streamWalked, "stream_walked"),
        (.streamCapabilityMismatch, "stream_capability_mismatch"),
        (.cookieEmpty, "cookie_empty"), (.cookieInvalid, "cookie_invalid"), (.cookieUnterminated, "cookie_unterminated"),
        (.cookieIgnored, "cookie_ignored"), (.documentsIgnored, "documents_ignored"), (.gap, "gap"),
        (.extensionPresent, "extension_present"), (.extensionInvalid, "extension_invalid"),
        (.paddingNotZero, "padding_not_zero"), (.bigEndian, "big_endian"),
        (.wasRunningNonstandard, "was_running_nonstandard"), (.unusedWordsSet, "unused_words_set"),
        (.machineUnsupported, "machine_unsupported"), (.machineNotChecked, "machine_not_checked"),
        (.machineStreamDiffers, "machine_stream_differs"), (.machineDeprecated, "machine_deprecated"), (.ramSizeMismatch, "ram_size_mismatch"),
        (.ramSizeNotChecked, "ram_size_not_checked"),
        (.xmlConstructUnsupported, "xml_construct_unsupported"),
        (.cpuUnknownFeature, "cpu_unknown_feature"), (.cpuUnknownModel, "cpu_unknown_model"),
        (.cpuNameUncertain, "cpu_name_uncertain"), (.cpuMissingFeatures, "cpu_missing_features"),
        (.cpuExtraFeatures, "cpu_extra_features"), (.cpuModelDiffers, "cpu_model_differs"),
        (.cpuModelMismatch, "cpu_model_mismatch"), (.cpuNotChecked, "cpu_not_checked"),
        (.cpuHostNotChecked, "cpu_host_not_checked"), (.cpuCheckNone, "cpu_check_none"),
        (.cpuArchCapabilities, "cpu_arch_capabilities"), (.pairingRestoresNothing, "pairing_restores_nothing"),
        (.profileNearest, "profile_nearest"),
    ]
    static let byName: [String: VerifyCode] = Dictionary(uniqueKeysWithValues: simple.map { ($0.1, $0.0) })

    /// The code of a reader finding.
    public init(_ code: Finding.Code) {
        switch code {
        case .formatUnsupported: self = .formatUnsupported
        case .formatIgnored: self = .formatIgnored
        case .streamMissing: self = .streamMissing
        case .formatStreamMismatch: self = .formatStreamMismatch
        case .cookieEmpty: self = .cookieEmpty
        case .cookieUnterminated: self = .cookieUnterminated
        case .cookieInvalid: self = .cookieInvalid
        case .documentsIgnored: self = .documentsIgnored
        case .gap: self = .gap
        case .extensionPresent: self = .extensionPresent
        case .extensionInvalid: self = .extensionInvalid
        case .paddingNotZero: self = .paddingNotZero
        case .bigEndian: self = .bigEndian
        case .wasRunningNonstandard: self = .wasRunningNonstandard
        case .unusedWordsSet: self = .unusedWordsSet
        case .cpuModelMismatch: self = .cpuModelMismatch
        }
    }

    /// The stable snake_case name.
    public var rawValue: String {
        switch self {
        case .abi(let label): return label.isEmpty ? "abi_mismatch" : "abi_" + label
        case .unreadable(let code): return code.rawValue
        case .finding(let code): return code
        default: return Self.simple.first { $0.0 == self }?.1 ?? "unknown"
        }
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if let known = Self.byName[text] { self = known }
        else if let error = SaveImageError.Code(rawValue: text) { self = .unreadable(error) }
        else if text.hasPrefix("abi_") { self = .abi(text == "abi_mismatch" ? "" : String(text.dropFirst(4))) }
        else { self = .finding(text) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// How to fix it, naming a saveimg command where one fixes it; nil where
    /// nothing needs fixing.
    public var hint: String? {
        switch self {
        case .formatUnsupported:
            return "rewrite the stream in a format the target reads: `saveimg convert IN OUT --format raw` (or gzip), or `saveimg retarget IN --target-libvirt V` to apply every safe fix"
        case .formatUnknown:
            return "the format word names no format libvirt defines, so neither libvirt nor saveimg (convert, retarget) can decode the stream; restore an intact copy"
        case .formatStreamMismatch: return "rewrite the image with its real stream format: `saveimg convert IN OUT --format raw`"
        case .formatIgnored: return "`saveimg convert IN OUT --format raw` writes a version-2 raw image"
        case .streamCapabilityMismatch:
            return "no libvirt restores it (libvirt never turns x-ignore-shared on); get the guest's memory out with `saveimg export-memory`, or load the stream with QEMU itself and the same shared memory backend"
        case .streamMissing, .streamTruncated, .streamEndDamaged, .streamDamaged:
            return "the guest's memory in the file is incomplete or damaged; no rewrite can restore it (restore an intact copy)"
        case .streamBodyNotChecked, .ramSizeNotChecked:
            return "run `saveimg verify --deep` to decompress and check the whole stream"
        case .machineNotChecked:
            return "describe the target: `saveimg target capture > host.json` on it, then `--target host.json` (or --capabilities from `virsh capabilities`)"
        case .cpuHostNotChecked:
            return "describe the target: `saveimg target capture > host.json` on it, then `--target host.json` (or --domcapabilities from `virsh domcapabilities --virttype TYPE`)"
        case .cpuModelDiffers:
            return "give the target's measured model additions (--model-additions), or write the cookie CPU with the domain XML's model: `saveimg add-cpu-ext IN --cpu CPU.xml`"
        case .streamTailNotChecked: return "run `saveimg verify --deep` to read the whole stream"
        case .cookieEmpty, .cookieInvalid:
            return "write a new cookie with QEMU's CPU: `saveimg add-cpu-ext IN --cpu CPU_XML --allow-model-change`"
        case .machineUnsupported:
            return "no rewrite can change the machine type (it is guest ABI): restore on a libvirt whose QEMU has it"
        case .ramSizeMismatch:
            return "set the domain XML's <memory> back to the stream's RAM size (`saveimg dumpxml IN > x.xml`, edit, `saveimg define --allow-abi-change IN x.xml`)"
        case .xmlConstructUnsupported:
            return "restore on a libvirt that accepts the construct; it describes the running guest, so saveimg does not rewrite it"
        case .cpuUnknownFeature:
            return "if the domain XML holds QEMU's updated CPU, move it into the cookie and put the defined CPU back (`saveimg add-cpu-ext IN --from-domain --original-cpu ORIG.xml`, or `saveimg retarget IN --original-cpu ORIG.xml`); else restore on a newer libvirt"
        case .cpuUnknownModel: return "restore on a libvirt that knows the model (the model is guest ABI: no rewrite changes it)"
        case .cpuNameUncertain: return "check the target's cpu_map (/usr/share/libvirt/cpu_map) for the name"
        case .cpuMissingFeatures:
            return "restore on a host with the features; if the domain XML holds QEMU's updated CPU, move it into the cookie (`saveimg add-cpu-ext IN --from-domain --original-cpu ORIG.xml`)"
        case .cpuExtraFeatures:
            return "write the cookie CPU with the domain XML's model and QEMU's features for it: `saveimg add-cpu-ext IN --cpu CPU.xml`"
        case .pairingRestoresNothing:
            return "restore on libvirt >= 12.1 (which restores on QEMU 11), or keep QEMU < 11.0 until the image is restored"
        case .cpuArchCapabilities:
            return "restore with libvirt >= 12.5 on that host, or on a host whose QEMU still enables arch-capabilities (< 10.1)"
        case .abi: return "keep the replacement XML ABI-compatible (same memory, vCPUs, CPU, machine, devices)"
        case .unreadable(let code):
            switch code {
            case .incompleteSave: return "the save never completed; the image cannot be restored"
            case .cookieOffsetPastDataLength:
                return "no saveimg command rewrites a header it cannot read: set the 32-bit word at offset 32 (cookieOffset) to the cookie's offset or 0 by hand, then `saveimg verify` again"
            default: return nil
            }
        case .finding(let code):
            switch code {
            case "device_state_not_checked":
                return "describe the target's QEMU: `saveimg target capture > host.json` on it (it records -dump-vmstate per machine type), then `--target host.json` (or `--vmstate host.json` with the XML options)"
            case "firmware_not_checked", "firmware_loader_not_listed", "firmware_loader_size_not_checked", "firmware_nvram_template_missing":
                return "describe the target's firmware files: `saveimg target capture > host.json` on it, then `--target host.json`"
            case "firmware_loader_missing", "firmware_loader_size_differs", "firmware_nvram_size_differs":
                return "the flash contents' size is guest state: restore on a host with the saved firmware build (same path and size), e.g. install the 2 MiB OVMF_CODE.fd there"
            case "device_state_virtqueue_too_large", "device_state_version_too_new", "device_state_version_too_old",
                 "device_state_subsection_unknown", "device_state_field_size_differs":
                return "device state is guest state: no rewrite changes it; restore on a QEMU that loads it (the one that saved it, or one of the same release)"
            default: return nil
            }
        default: return nil
        }
    }
}
