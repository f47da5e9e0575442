/// When QEMU stops knowing a versioned machine type (`pc-i440fx-5.2`,
/// `pc-q35-7.1`): a saved image cannot change its machine type, so the first
/// QEMU release that refuses it is the last chance to restore it.
///
/// QEMU's rule (include/hw/core/boards.h, `MACHINE_VER_DEPRECATION_MAJOR 3`,
/// `MACHINE_VER_DELETION_MAJOR 6`, automatic from QEMU 10.1): machine X.Y is
/// deprecated from QEMU (X+3).Y and no longer registered from (X+6).Y; before
/// 10.1 nothing was deleted automatically, so every type the rule had already
/// passed goes with 10.1. Measured: QEMU 10.0 (lab 11.3) still has
/// pc-i440fx-2.4; QEMU 11.1 (lab 12.8) has nothing older than 5.2 and marks
/// 5.2-8.1 `deprecated='yes'`. Types removed by hand earlier are listed in
/// ``removedByHand`` (docs/about/removed-features.rst).
public struct MachineTypeLifecycle: Hashable, Sendable {
    /// The machine type, e.g. `pc-i440fx-5.2`.
    public var machine: String
    /// The QEMU release whose machine it is (5.2).
    public var version: QEMUVersion
    /// The first QEMU release that marks it deprecated.
    public var deprecatedFrom: QEMUVersion
    /// The first QEMU release that no longer registers it.
    public var refusedFrom: QEMUVersion

    /// The rule's source, for reports.
    public static let source = "QEMU's machine-type rule (include/hw/core/boards.h: deprecated after 3 years, "
        + "deleted after 6, automatically from QEMU 10.1)"
    /// The first release that deletes machine types automatically.
    public static let automaticDeletionSince = QEMUVersion(10, 1, 0)
    /// pc-i440fx types removed by hand before the rule reached them (removed-features.rst).
    public static let removedByHand: [(from: QEMUVersion, to: QEMUVersion, removedIn: QEMUVersion)] = [
        (QEMUVersion(1, 4, 0), QEMUVersion(1, 7, 0), QEMUVersion(8, 2, 0)),
        (QEMUVersion(2, 0, 0), QEMUVersion(2, 3, 0), QEMUVersion(9, 1, 0)),
    ]

    /// The lifecycle of a versioned x86 machine type (`pc-i440fx-X.Y`,
    /// `pc-q35-X.Y`); nil for unversioned or other types.
    public init?(machine: String) {
        let prefixes = ["pc-i440fx-", "pc-q35-"]
        guard let prefix = prefixes.first(where: { machine.hasPrefix($0) }) else { return nil }
        let parts = machine.dropFirst(prefix.count).split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]),
              (0...99).contains(major), (0...99).contains(minor) else { return nil }
        let typeVersion = QEMUVersion(major, minor, 0)
        var refused = QEMUVersion(major + 6, minor, 0)  // bounded: major <= 99
        if refused < Self.automaticDeletionSince { refused = Self.automaticDeletionSince }
        if prefix == "pc-i440fx-",
           let manual = Self.removedByHand.first(where: { $0.from <= typeVersion && typeVersion <= $0.to }) {
            refused = min(refused, manual.removedIn)
        }
        self.machine = machine
        version = typeVersion
        deprecatedFrom = QEMUVersion(major + 3, minor, 0)  // bounded: major <= 99
        refusedFrom = refused
    }

    /// Whether QEMU `qemu` still registers it.
    public func isRegistered(in qemu: QEMUVersion) -> Bool { qemu < refusedFrom }
    /// Whether QEMU `qemu` marks it deprecated (and still registers it).
    public func isDeprecated(in qemu: QEMUVersion) -> Bool { qemu >= deprecatedFrom && isRegistered(in: qemu) }
}
