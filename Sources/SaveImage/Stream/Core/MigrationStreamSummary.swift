import FoundationEssentials

/// What a walk of the migration stream found.
public struct MigrationStreamSummary: Hashable, Sendable, Codable {
    /// One section as it was started (START or FULL).
    public struct Section: Hashable, Sendable, Codable {
        public var id: UInt32
        public var name: String
        public var instance: UInt32
        public var version: UInt32
        /// Offset of its START/FULL header in the raw stream.
        public var offset: UInt64
        /// PART and END sections seen for it.
        public var parts = 0
    }

    /// A RAM block from the RAM section's start.
    public struct RAMBlock: Hashable, Sendable, Codable {
        public var name: String
        public var size: UInt64
        /// The block's guest physical address, sent only with the
        /// `x-ignore-shared` capability (nil without it).
        public var guestAddress: UInt64?

        public init(name: String, size: UInt64, guestAddress: UInt64? = nil) {
            self.name = name
            self.size = size
            self.guestAddress = guestAddress
        }
    }

    public var version: UInt32?
    public var machineType: String?
    public var capabilities: [String] = []
    public var sections: [Section] = []
    public var ramBlocks: [RAMBlock] = []
    /// Full pages sent (PAGE, XBZRLE or compressed records).
    public var pages: UInt64 = 0
    /// Zero pages sent as ZERO records.
    public var zeroPages: UInt64 = 0
    public var commands = 0
    /// Whether QEMU_VM_EOF was reached.
    public var reachedEOF = false
    /// The VM description at the end, when present.
    public var description: VMDescription?

    /// Encoded keys: the stream version is `qemu_version`, the name `inspect`'s
    /// `stream` gives the same number (saveimg's JSON glossary).
    private enum CodingKeys: String, CodingKey {
        case version = "qemuVersion", machineType, capabilities, sections, ramBlocks, pages, zeroPages, commands
        case reachedEOF, description
    }
}

/// The JSON VM description QEMU appends after QEMU_VM_EOF (what
/// `analyze-migration.py` reads to interpret device state).
public struct VMDescription: Hashable, Sendable, Codable {
    public struct Device: Hashable, Sendable, Codable {
        public var name: String
        public var instanceId: UInt32?
    }

    public var pageSize: Int?
    public var devices: [Device]

    private enum CodingKeys: String, CodingKey { case pageSize = "page_size", devices }

    init(json: [UInt8], offset: UInt64) throws(SaveImageError) {
        struct Raw: Decodable {
            struct Device: Decodable { var name: String; var instance_id: UInt32? }
            var page_size: Int?
            var devices: [Device]?
        }
        do {
            let raw = try JSONDecoder().decode(Raw.self, from: Data(json))
            // QEMU's target page size: a power of two (4096 on x86).
            if let size = raw.page_size, size <= 0 || size & (size - 1) != 0 {  // bounded: size > 0 when subtracted
                throw SaveImageError(.badStream, path: "", offset: offset, field: "VM description",
                                     expected: "JSON with a page_size that is a power of two", found: "page_size \(size)")
            }
            pageSize = raw.page_size
            devices = (raw.devices ?? []).map { Device(name: $0.name, instanceId: $0.instance_id) }
        } catch let error as SaveImageError {
            throw error
        } catch {
            throw SaveImageError(.badStream, path: "", offset: offset, field: "VM description",
                                 expected: "JSON with page_size and devices", found: DecodingFailure.describe(error))
        }
    }
}
