/// What a libvirt release does with a QEMU release it was not written for:
/// rules that depend on the target's libvirt *and* QEMU versions. Each rule
/// applies to libvirt releases before ``fixedIn`` running QEMU from
/// ``qemuFrom``, and cites its source. Adding a rule is adding a row to ``all``.
public struct PairingRule: Hashable, Sendable {
    /// What the pair does at restore.
    public enum Effect: Hashable, Sendable {
        /// No save image restores: libvirt asks QEMU for something it removed.
        case restoresNothing
        /// A guest CPU with check='full' and more than one core or thread per
        /// socket fails with "extra features: ht" (QEMU sets CPUID HTT there).
        case extraFeatureHT
        /// On an AMD host, QEMU no longer enables arch-capabilities by itself:
        /// a guest CPU that requires it may be refused.
        case amdArchCapabilities
    }

    public var effect: Effect
    /// The first libvirt release that handles the pair.
    public var fixedIn: LibvirtVersion
    /// The first QEMU release the rule concerns.
    public var qemuFrom: QEMUVersion
    /// Where the fact comes from.
    public var source: String

    /// Whether the rule applies to libvirt `libvirt` with QEMU `qemu`.
    public func applies(libvirt: LibvirtVersion, qemu: QEMUVersion) -> Bool { libvirt < fixedIn && qemu >= qemuFrom }

    public static let all: [PairingRule] = [
        PairingRule(effect: .restoresNothing, fixedIn: LibvirtVersion(12, 1, 0), qemuFrom: QEMUVersion(11, 0, 0),
                    source: "QEMU 11.0 removed the file-based fd: migration URI (docs/about/removed-features.rst) that libvirt "
                        + "restores through before 12.1.0 (libvirt NEWS.rst v12.1.0: \"Fix failures when restoring "
                        + "save/managed-save images with upcoming qemu versions\")"),
        PairingRule(effect: .extraFeatureHT, fixedIn: LibvirtVersion(11, 10, 0), qemuFrom: QEMUVersion(10, 0, 0),
                    source: "libvirt NEWS.rst v11.10.0: fixed \"guest CPU doesn't match specification: extra features: ht\" "
                        + "on incoming migration (restore) to QEMU >= 10.0"),
        PairingRule(effect: .amdArchCapabilities, fixedIn: LibvirtVersion(12, 5, 0), qemuFrom: QEMUVersion(10, 1, 0),
                    source: "libvirt NEWS.rst v12.5.0: QEMU >= 10.1 no longer enables arch-capabilities MSR features "
                        + "automatically on AMD hosts"),
    ]
}
