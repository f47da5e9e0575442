/// What one generation of libvirt does when it reads and restores a save
/// image: whether it reads the cookie, which formats it can decompress, and
/// how it reports what it cannot handle. The table and its sources are in
/// FORMAT.md, "What each libvirt generation does".
public struct ReaderProfile: Hashable, Sendable {
    /// How well a profile's facts are established.
    public enum Basis: String, Hashable, Sendable, Codable {
        /// Measured with real restores (libvirt 9.0 in the lab).
        case measured
        /// Read from libvirt's source at that release.
        case source
        /// Between known points; assumed to behave like the nearest known one.
        case assumed
    }

    /// The libvirt version this profile describes.
    public var version: LibvirtVersion
    /// A name for reports: `libvirt 9.0.0`, `libvirt current`.
    public var name: String
    public var basis: Basis

    public init(version: LibvirtVersion, name: String? = nil) {
        self.version = version
        self.name = name ?? "libvirt \(version)"
        if version == LibvirtVersion(9, 0, 0) {
            basis = .measured
        } else if version <= LibvirtVersion(4, 7, 0) || version >= Self.currentSource {
            basis = .source
        } else {
            basis = .assumed
        }
    }

    /// libvirt 9.0.0, the lab's (every row of the behaviour table).
    public static let libvirt90 = ReaderProfile(version: LibvirtVersion(9, 0, 0))
    /// The libvirt source read for the newest behaviour (zstd, sparse, header checks).
    public static let currentSource = LibvirtVersion(11, 0, 0)
    /// The current libvirt source.
    public static let current = ReaderProfile(version: currentSource, name: "libvirt current (>= 11)")

    /// Parses `--target-libvirt`: a version (`3.2`, `9.0.0`) or a name
    /// (`lab`, `debian-12` = 9.0; `current`).
    public init?(named text: String) {
        switch text.lowercased() {
        case "lab", "debian-12", "bookworm": self = .libvirt90
        case "current", "newest": self = .current
        default:
            guard let version = LibvirtVersion(text) else { return nil }
            self.init(version: version)
        }
    }

    /// The release that started storing and reading the save cookie
    /// (commit "qemu: Store save cookie in save images and snapshots", v3.5.0).
    public static let cookieSince = LibvirtVersion(3, 5, 0)

    /// Whether this reader reads the cookie (and restores with its CPU).
    /// Older ones read data_len bytes as a C string: the domain XML only.
    public var readsCookie: Bool { version >= Self.cookieSince }

    /// Whether this reader knows the `check` attribute of `<cpu>` (3.2.0 on);
    /// older ones compare every custom CPU with the host before starting.
    public var knowsCPUCheck: Bool { version >= LibvirtVersion(3, 2, 0) }

    /// Whether the reader can restore a stream in `format` (at header version 2).
    public func canRestore(format: CompressionFormat) -> Bool {
        switch format.rawValue {
        case 0...4: return true
        case 5, 6: return version >= Self.currentSource
        default: return false
        }
    }

    /// What the reader says for a format it cannot restore.
    public func unsupportedFormatMessage(_ format: CompressionFormat) -> String {
        version >= Self.currentSource
            ? "unsupported save image format: \(format.rawValue)"
            : "Invalid compressed save format \(format.rawValue)"
    }

    /// What the reader does when cookieOffset > data_len.
    public var cookieOffsetPastDataLengthOutcome: String {
        if !readsCookie { return "ignored (this libvirt predates the cookie)" }
        return version >= Self.currentSource
            ? "invalid save image header: cookie offset exceeds data length"
            : "libvirtd crashes (connection lost)"
    }

    /// The message the reader gives for a CPU feature name it does not know.
    public func unknownFeatureMessage(_ name: String) -> String {
        version >= LibvirtVersion(4, 7, 0) ? "unknown CPU feature: \(name)" : "Unknown CPU feature \(name)"
    }
}
