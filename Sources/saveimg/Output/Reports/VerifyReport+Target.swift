import SaveImage

extension VerifyReport {
    /// What the verdict is for, as fields (`description` is the text output's prose).
    struct Target: Encodable {
        struct Host: Encodable {
            /// Which option gave the host CPU.
            enum Kind: String, Encodable {
                case domcapabilities, capabilities
                /// `--target host.json` (saveimg target capture).
                case capture
                /// This machine's /proc/cpuinfo (no host option given).
                case cpuinfo
                /// This machine's running libvirt or QEMU binary (no target option given).
                case local
            }
            var kind: Kind
            /// The file the CPU was read from, or `this machine (/proc/cpuinfo)`.
            var source: String
            /// Whether the host CPU binds TCG guests too (libvirt's (dom)capabilities); false for
            /// /proc/cpuinfo, which binds only KVM guests.
            var describesTCG: Bool
        }
        /// The target libvirt release the reader profile is for, e.g. `9.0.0`.
        var libvirtVersion: String
        /// The target QEMU the pairing rules used, and whether it was assumed (the nearest lab's).
        var qemuVersion: String
        var qemuAssumed: Bool
        /// The profile's name, e.g. `libvirt 9.0.0`.
        var profile: String
        /// How the profile's behaviour is known: `measured`, or `nearest` (release-dated facts from libvirt's sources, the rest from the nearest measured release).
        var basis: String
        /// The target host CPU; absent with --no-host.
        var host: Host?
        /// `--xml`: the replacement domain XML checked for ABI compatibility.
        var replacementXml: String?
        var description: String

        init(verifier: RestoreVerifier, host kind: Host.Kind?, replacementXML: String?) {
            libvirtVersion = verifier.profile.version.description
            qemuVersion = verifier.profile.effectiveQEMU.description
            qemuAssumed = verifier.profile.qemu == nil
            profile = verifier.profile.name
            basis = verifier.profile.basis.rawValue
            if let kind, let host = verifier.host {
                self.host = Host(kind: kind, source: host.source, describesTCG: host.hostModel != nil)
            } else if let kind, kind == .capture || kind == .local, let target = verifier.target {
                self.host = Host(kind: kind, source: target.capture.hostname ?? target.capture.source,
                                 describesTCG: target.describesTCG)
            }
            replacementXml = replacementXML
            description = verifier.targetDescription
        }
    }
}
