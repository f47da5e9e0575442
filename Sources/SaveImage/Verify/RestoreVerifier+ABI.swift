extension RestoreVerifier {
    /// `virsh restore --xml`: libvirt's ABI check of the replacement against
    /// the image's domain; libvirt reports the first difference.
    func abiReasons(_ image: SaveImage) -> [RestoreVerdict.Reason] {
        guard let replacementDomain else { return [] }
        let differences = DomainABICheck.differences(source: image.domain, target: replacementDomain)
        guard let first = differences.first else { return [] }
        var message = "the replacement domain XML is not ABI-compatible with the image's"
        if differences.count > 1 { message += " (\(differences.count) differences: " + differences.joined(separator: "; ") + ")" }
        return [RestoreVerdict.Reason(Self.abiCode(first), .restoreFails, message, libvirt: first)]
    }

    /// The code from libvirt's ABI message, `Target <label> <value> does
    /// not match source <value>`: `Target domain max memory 1 does not match
    /// source 2` -> `abi_domain_max_memory`, `Target CPU model Westmere ...` ->
    /// `abi_cpu_model`.
    static func abiCode(_ message: String) -> VerifyCode {
        let words = message.split(separator: " ").map { $0.lowercased() }
        guard let does = words.firstIndex(of: "does"), does >= 2 else { return .abi("") }
        let label = does > 2 ? words[1..<(does - 1)] : words[1..<does]
        return .abi(label.joined(separator: "_"))
    }
}
