/// A QEMU release number (`11.1.3`), in the same three-number form as libvirt's.
public typealias QEMUVersion = LibvirtVersion

/// One lab libvirt and QEMU pair whose restore behaviour was measured with
/// real restores (`../shared/libvirt-lab`). Adding a measured generation is
/// adding a row here (and its capture under testdata/targets/).
public struct MeasuredRelease: Hashable, Sendable {
    public var libvirt: LibvirtVersion
    public var qemu: QEMUVersion
    /// Where it was measured, for reports.
    public var lab: String

    /// The four labs: Debian 11, 12, 13 and sid (2026-12).
    public static let all: [MeasuredRelease] = [
        MeasuredRelease(libvirt: LibvirtVersion(7, 0, 0), qemu: QEMUVersion(5, 2, 0), lab: "Debian 11 (setup-7.sh)"),
        MeasuredRelease(libvirt: LibvirtVersion(9, 0, 0), qemu: QEMUVersion(7, 2, 0), lab: "Debian 12 (setup.sh)"),
        MeasuredRelease(libvirt: LibvirtVersion(11, 3, 0), qemu: QEMUVersion(10, 0, 0), lab: "Debian 13 (setup-11.sh)"),
        MeasuredRelease(libvirt: LibvirtVersion(12, 8, 0), qemu: QEMUVersion(11, 1, 3), lab: "Debian sid 2026-12 (setup-12.sh)"),
    ]

    /// The measured release for a libvirt version, when it was measured.
    public static func release(_ version: LibvirtVersion) -> MeasuredRelease? { all.first { $0.libvirt == version } }
}
