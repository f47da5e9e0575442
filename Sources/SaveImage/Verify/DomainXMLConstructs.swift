/// Domain XML constructs that save images really contain and that an older
/// libvirt's parser refuses, with the first release accepting each and what
/// older ones print. A restore parses the image's domain XML (and cookie) with
/// the target's parser, so a construct from a newer libvirt fails there before
/// QEMU starts.
///
/// Constructs an older parser silently ignores are not listed, as they do not
/// stop a restore: unknown elements and attributes such as `<maxphysaddr>`
/// (NEWS v8.7.0), `migratable` on host-passthrough (NEWS v6.5.0) and `check`
/// (v3.2.0; older releases then compare every custom CPU, see
/// ``ReaderProfile/knowsCPUCheck``). Machine types are checked against the
/// target's capabilities instead (``TargetHost/machines``), CPU names against
/// its CPU map (``CPUMap``).
public struct DomainXMLConstruct: Sendable {
    /// What it is, for reports: `<cpu mode='maximum'>`.
    public var name: String
    /// The first libvirt release whose parser accepts it.
    public var since: LibvirtVersion
    /// How `since` is known.
    public var source: String
    /// What an older libvirt prints.
    public var olderMessage: String
    /// Whether a domain (or cookie) element contains it.
    let matches: @Sendable (XMLElement) -> Bool

    /// The table. Enumerated values libvirt parses strictly (virXXXTypeFromString
    /// failing with "Invalid ... attribute") are the ones that matter.
    public static let all: [DomainXMLConstruct] = [
        DomainXMLConstruct(
            name: "<cpu mode='maximum'>", since: LibvirtVersion(7, 9, 0),
            source: "libvirt commit c32f172d \"qemu: wire up support for maximum CPU model\" (2021, 7.9.0); "
                + "measured: 7.0 refuses, 9.0 and 11.3 accept",
            olderMessage: "Invalid mode attribute 'maximum'",
            matches: { $0.first("cpu")?[attribute: "mode"] == "maximum" }),
    ]
}

extension XMLElement {
    /// Whether `self` or any element below it satisfies `test`.
    func containsElement(where test: (XMLElement) -> Bool) -> Bool {
        if test(self) { return true }
        return elements.contains { $0.containsElement(where: test) }
    }
}
