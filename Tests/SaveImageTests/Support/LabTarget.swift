/// The 9.0 lab described in full (its `virsh capabilities` and TCG
/// `domcapabilities`), so that commands run in tests judge every check and
/// do not depend on the libvirt of the machine running them.
enum LabTarget {
    static let capabilities = Fixtures.testdata + "/capabilities/libvirt-9.0-capabilities.xml"
    static let domainCapabilities = Fixtures.testdata + "/capabilities/libvirt-9.0-domcapabilities-qemu.xml"
    /// The lab's capture, for its QEMU's vmstate descriptions and firmware files (`--vmstate`).
    static let capture = Fixtures.testdata + "/targets/lab-libvirt-9.0.json"
    static let arguments = ["--target-libvirt", "9.0", "--capabilities", capabilities, "--domcapabilities", domainCapabilities,
                            "--vmstate", capture]
}
