/// What one libvirt release does when it reads and restores a save image:
/// which formats it restores, which domain XML it parses, how it treats a
/// machine type its QEMU lacks, and what it prints. Facts come from four
/// measured releases (``MeasuredRelease/all``: 7.0.0 + QEMU 5.2, 9.0.0 + QEMU
/// 7.2, 11.3.0 + QEMU 10.0, 12.8.0 + QEMU 11.1) and from release-dated sources
/// (libvirt NEWS and commits, cited at each fact). A behaviour known only by
/// measurement resolves, for a release between or beyond measured ones, to
/// the nearest measured release, and the verdict says so. Which QEMU the
/// target runs (``qemu``) decides the pairing rules (``PairingRule``).
public struct ReaderProfile: Hashable, Sendable {
    /// How well a profile's facts are established.
    public enum Basis: String, Hashable, Sendable, Codable {
        /// This release was measured with real restores in the labs.
        case measured
        /// Not measured: release-dated facts from sources, the rest from the
        /// nearest measured release (``ReaderProfile/nearestMeasured``).
        case nearest
    }

    /// The libvirt version this profile describes.
    public var version: LibvirtVersion
    /// A name for reports: `libvirt 9.0.0`.
    public var name: String
    public var basis: Basis
    /// The target's QEMU, when known (a capture, `virsh version`, `--qemu`);
    /// nil: the QEMU of the nearest measured lab is assumed (``effectiveQEMU``).
    public var qemu: QEMUVersion?

    /// The releases measured in the labs.
    public static let measuredReleases = MeasuredRelease.all.map(\.libvirt)

    public init(version: LibvirtVersion, name: String? = nil, qemu: QEMUVersion? = nil) {
        self.version = version
        self.name = name ?? "libvirt \(version)"
        basis = Self.measuredReleases.contains(version) ? .measured : .nearest
        self.qemu = qemu
    }

    /// The release whose measured behaviour this one takes (itself when measured).
    public var behaviourRelease: LibvirtVersion { nearestMeasured }

    /// The QEMU the pairing rules are evaluated with: the target's, else the
    /// QEMU of the nearest measured lab (said by ``qemuNote``).
    public var effectiveQEMU: QEMUVersion {
        qemu ?? MeasuredRelease.release(nearestMeasured)?.qemu ?? QEMUVersion(7, 2, 0)
    }

    /// Says where the QEMU version came from when it was not given.
    public var qemuNote: String? {
        qemu == nil ? "QEMU \(effectiveQEMU) assumed (the QEMU of the measured lab \(nearestMeasured)); a capture of the target gives its own" : nil
    }

    /// The measured release whose behaviour a measured-only fact takes:
    /// the closest by (major, minor), the newer on a tie.
    public var nearestMeasured: LibvirtVersion {
        let key = { (v: LibvirtVersion) in v.major * 1000 + v.minor }
        return Self.measuredReleases.min { a, b in
            let da = abs(key(a) - key(version)), db = abs(key(b) - key(version))
            return da != db ? da < db : a > b
        } ?? LibvirtVersion(9, 0, 0)
    }

    /// libvirt 9.0.0 (Debian 12), the first lab.
    public static let libvirt90 = ReaderProfile(version: LibvirtVersion(9, 0, 0))
    /// The newest measured release.
    public static let current = ReaderProfile(version: LibvirtVersion(12, 8, 0))

    /// Parses `--target-libvirt`: a version (`3.2`, `9.0.0`) or a name
    /// (`lab`, `debian-12`, `bookworm` = 9.0; `debian-11`, `bullseye` = 7.0;
    /// `debian-13`, `trixie` = 11.3; `sid`, `current` = 12.8).
    public init?(named text: String) {
        switch text.lowercased() {
        case "lab", "debian-12", "bookworm": self = .libvirt90
        case "debian-11", "bullseye": self.init(version: LibvirtVersion(7, 0, 0))
        case "debian-13", "trixie": self.init(version: LibvirtVersion(11, 3, 0))
        case "current", "newest", "sid", "debian-sid": self = .current
        default:
            guard let version = LibvirtVersion(text) else { return nil }
            self.init(version: version)
        }
    }

    /// The release that started storing and reading the save cookie
    /// (commit "qemu: Store save cookie in save images and snapshots", v3.5.0).
    public static let cookieSince = LibvirtVersion(3, 5, 0)
    /// zstd save images: NEWS v10.4.0 ("qemu: add zstd to supported compression formats").
    public static var zstdSince: LibvirtVersion { firstRelease(restoring: .zstd) ?? LibvirtVersion(10, 4, 0) }
    /// sparse (mapped-ram) save images and the header format check: NEWS v11.2.0,
    /// commit fa68f78f13b3 ("qemu_saveimage: add "sparse" to supported save image formats").
    public static var sparseSince: LibvirtVersion { firstRelease(restoring: .sparse) ?? LibvirtVersion(11, 2, 0) }
    /// `cookieOffset > data_len` refused with a message (CVE-2025-12748 header
    /// rework, NEWS v11.10.0); earlier releases read past the region (9.0 crashes, measured).
    public static let cookieOffsetCheckSince = LibvirtVersion(11, 10, 0)

    /// Whether this reader reads the cookie (and restores with its CPU).
    /// Older ones read data_len bytes as a C string: the domain XML only.
    public var readsCookie: Bool { version >= Self.cookieSince }

    /// Whether this reader knows the `check` attribute of `<cpu>` (3.2.0 on);
    /// older ones compare every custom CPU with the host before starting.
    public var knowsCPUCheck: Bool { version >= LibvirtVersion(3, 2, 0) }

    /// Whether the reader can restore a stream in `format` (at header version 2):
    /// from the format's first libvirt release (``StreamFormat/firstLibvirtRelease``).
    public func canRestore(format: CompressionFormat) -> Bool {
        Self.firstRelease(restoring: format).map { version >= $0 } ?? false
    }

    /// The release that first restores `format`, when one does (the format table's).
    public static func firstRelease(restoring format: CompressionFormat) -> LibvirtVersion? {
        StreamFormat.named(format).map {
            LibvirtVersion($0.firstLibvirtRelease.major, $0.firstLibvirtRelease.minor, $0.firstLibvirtRelease.micro)
        }
    }

    /// What the reader says for a format it cannot restore: from 11.2 a
    /// format past the last one is refused when the header is read; a known
    /// format value it cannot decompress gets the start-time message (9.0, 7.0 measured).
    public func unsupportedFormatMessage(_ format: CompressionFormat) -> String {
        version >= Self.sparseSince && format.rawValue > 6
            ? "unsupported save image format: \(format.rawValue)"
            : "Invalid compressed save format \(format.rawValue)"
    }

    /// What the reader does when cookieOffset > data_len.
    public var cookieOffsetPastDataLengthOutcome: String {
        if !readsCookie { return "ignored (this libvirt predates the cookie)" }
        return version >= Self.cookieOffsetCheckSince
            ? "invalid save image header: cookie offset exceeds data length"
            : "libvirtd crashes (connection lost)"
    }

    /// The message the reader gives for a CPU feature name it does not know.
    public func unknownFeatureMessage(_ name: String) -> String {
        version >= LibvirtVersion(4, 7, 0) ? "unknown CPU feature: \(name)" : "Unknown CPU feature \(name)"
    }

    /// The message for a CPU model name it does not know (measured 7.0, 9.0, 11.3).
    public func unknownModelMessage(_ name: String) -> String { "Unknown CPU model \(name)" }

    /// Whether libvirt itself refuses a machine type the emulator lacks before
    /// starting QEMU (measured: 9.0 and 11.3 do, "Emulator '...' does not
    /// support machine type '...'"; 7.0 starts QEMU, which exits).
    public var validatesMachineType: Bool { nearestMeasured >= LibvirtVersion(9, 0, 0) }

    /// What the target prints for a machine type its emulator does not know.
    public func unsupportedMachineMessage(_ machine: String, emulator: String) -> String {
        validatesMachineType
            ? "Emulator '\(emulator)' does not support machine type '\(machine)'"
            : "qemu-system-x86_64: -machine \(machine)...: unsupported machine type"
    }

    /// Whether the QEMU this release ships names RAM-size mismatches with
    /// the block name (all measured QEMUs do).
    /// (11.3 reports only the job's error; QEMU's line goes to the domain log.)
    public func ramSizeMismatchMessage(block: String, stream: UInt64, domain: UInt64) -> String {
        if nearestMeasured >= LibvirtVersion(11, 3, 0) { return streamLoadFailure(truncated: false) }
        return "Size mismatch: \(block): \(Hex.number(stream)) != \(Hex.number(domain))"
    }

    /// What the target prints when QEMU's load of a stream fails: cut short
    /// (`truncated`: QEMU reads past the end, EIO) or damaged inside (EINVAL).
    /// Measured on all three: QEMU ends with "load of migration failed:
    /// Input/output error" / "... Invalid argument" (after, e.g., "error while
    /// loading state section id 3(ram)" or "Unknown combination of migration
    /// flags: 0x1"); 7.0 and 9.0 pass QEMU's stderr on, 11.3 reports it as
    /// the migration job's error ("job 'start' failed: ...").
    public func streamLoadFailure(truncated: Bool) -> String {
        let prefix = nearestMeasured >= LibvirtVersion(11, 3, 0) ? "job 'start' failed: " : ""
        return prefix + "load of migration failed: " + (truncated ? "Input/output error" : "Invalid argument")
    }

    /// What the target prints when QEMU refuses the stream's capability list
    /// (measured, `scripts/lab/ignore-shared-check.sh`): 7.0 and 9.0 pass on
    /// QEMU's "Capability x-ignore-shared is off, but received capability is on";
    /// 11.3 reports the job's error; 12.8 (QEMU 11.1) adds QEMU's post-load error.
    public func capabilityMismatchMessage(_ capability: String) -> String {
        if nearestMeasured >= LibvirtVersion(12, 8, 0) {
            return streamLoadFailure(truncated: false)
                + ": post load hook failed for: configuration, version_id: 1, minimum_version: 0: Failed to validate capabilities"
        }
        if nearestMeasured >= LibvirtVersion(11, 3, 0) { return streamLoadFailure(truncated: false) }
        return "Capability \(capability) is off, but received capability is on"
    }

    /// A short note for reports when some behaviour came from another release.
    public var resolutionNote: String? {
        basis == .measured ? nil
            : "\(name) was not measured: release-dated facts from libvirt's sources, the rest as the nearest measured release \(nearestMeasured)"
    }
}
