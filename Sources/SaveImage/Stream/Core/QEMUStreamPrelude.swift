/// The start of a raw QEMU migration stream: magic, version and, when QEMU
/// sent one (since QEMU 2.9 for most machine types), the configuration
/// section naming the machine type.
///
/// ```
/// "QEVM" u32be(3)  0x07 (QEMU_VM_CONFIGURATION)  u32be(len) name[len] ...
/// ```
public struct QEMUStreamPrelude: Hashable, Sendable {
    /// The stream version (3 for every QEMU since 1.x).
    public var version: UInt32
    /// The machine type from the configuration section, e.g. `pc-i440fx-7.2`.
    public var machineType: String?
    /// The capabilities the configuration section lists (`configuration/capabilities`:
    /// the ones the destination QEMU validates, `x-ignore-shared` and `mapped-ram`);
    /// empty without the subsection, nil when the section could not be read from the prefix.
    public var capabilities: [String]?

    /// `QEMU_VM_FILE_MAGIC`.
    public static let magic: [UInt8] = Array("QEVM".utf8)
    /// `QEMU_VM_CONFIGURATION` section type.
    static let configurationSection: UInt8 = 0x07

    /// Parses the prelude from the stream's first bytes (a few hundred suffice).
    /// Returns nil when the bytes are not a QEMU stream.
    public init?(prefix bytes: [UInt8]) {
        guard bytes.count >= 8, Array(bytes.prefix(4)) == Self.magic else { return nil }
        guard let version = Endianness.big.integer(UInt32.self, in: bytes, at: 4) else { return nil }
        self.version = version
        machineType = nil
        capabilities = nil
        guard bytes.count >= 13, bytes[8] == Self.configurationSection,
              let word = Endianness.big.integer(UInt32.self, in: bytes, at: 9) else { return }
        let length = Int(word)  // bounded: a UInt32 fits in a 64-bit Int
        guard length > 0, length <= 256, bytes.count >= 13 + length else { return }  // bounded: length <= 256 (checked first)
        let name = bytes[13..<(13 + length)]  // bounded: length <= 256 (checked above)
        guard name.allSatisfy({ (0x21..<0x7f).contains($0) }) else { return }
        machineType = String(decoding: name, as: UTF8.self)
        capabilities = Self.capabilities(prefix: bytes)
    }

    /// The configuration section's capability list, read from a prefix that
    /// starts at the stream's magic (nil when it does not parse there).
    static func capabilities(prefix bytes: [UInt8]) -> [String]? {
        var served = false
        guard let cursor = try? StreamCursor(hashing: false, next: {
            if served { return nil }
            served = true
            return bytes
        }) else { return nil }
        do throws(SaveImageError) {
            try cursor.skip(9, "magic, version and section type")
            return try StreamConfiguration.read(from: cursor).capabilities
        } catch {
            return nil
        }
    }
}
