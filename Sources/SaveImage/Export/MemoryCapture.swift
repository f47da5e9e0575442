/// The walker's observer for an export: RAM pages into a ``RAMBlockStore``,
/// and the bytes of the device sections the export reads (the `cpu`
/// sections, `vmcoreinfo`, the host bridge and PCI devices that own RAM),
/// and the VM description after QEMU_VM_EOF, through the cursor's tap. No
/// walker change: the parts the walker announces are enough.
final class MemoryCapture: MigrationStreamObserver {
    /// One captured device section (data between header and footer).
    struct Section {
        var name: String
        var instance: UInt32
        var bytes: [UInt8]
    }

    private let directory: String
    private let name: String
    private(set) var store: RAMBlockStore?
    private(set) var sections: [Section] = []
    /// QEMU_VM_EOF and what follows (the VM description).
    private(set) var tail: [UInt8] = []
    private var header: [UInt8] = []
    private var current: Section?
    private var names: [UInt32: (String, UInt32)] = [:]
    private var prefixes: Set<String> = []
    private var capturedBytes = 0
    /// Device state kept at most (a guard against hostile streams).
    static let captureLimit = 64 << 20

    init(directory: String, name: String) {
        self.directory = directory
        self.name = name
    }

    func enter(_ part: MigrationStreamPart, cursor: StreamCursor) throws(SaveImageError) {
        switch part {
        case .sectionHeader:
            header = []
            cursor.tap = { [unowned self] (bytes) throws(SaveImageError) in header.append(contentsOf: bytes) }
        case .deviceState(let name):
            let instance = parseHeader(name)
            cursor.tap = nil
            if wanted(name) {
                current = Section(name: name, instance: instance, bytes: [])
                cursor.tap = { [unowned self] (bytes) throws(SaveImageError) in
                    capturedBytes += bytes.count  // bounded: guarded by captureLimit
                    guard capturedBytes <= Self.captureLimit else {
                        throw SaveImageError(.tooLarge, path: "", offset: cursor.offset, field: "device state of '\(name)'",
                                             expected: "at most \(Self.captureLimit) bytes of the sections an export reads",
                                             found: "more")
                    }
                    current?.bytes.append(contentsOf: bytes)
                }
            }
        case .ramRecords:
            _ = parseHeader("ram")
            cursor.tap = nil
        case .footer:
            cursor.tap = nil
            if let section = current { sections.append(section) }
            current = nil
        case .end:
            tail = []
            cursor.tap = { [unowned self] (bytes) throws(SaveImageError) in
                guard tail.count + bytes.count <= 65 << 20 else { return }  // bounded: in-memory sizes; the walker caps the description at 64 MiB
                tail.append(contentsOf: bytes)
            }
        case .fileHeader, .configuration, .command:
            cursor.tap = nil
        }
    }

    /// The instance id from the captured section header (START/FULL), or the one a PART/END's id was started with.
    private func parseHeader(_ name: String) -> UInt32 {
        guard header.count >= 5 else { return 0 }
        guard let id = Endianness.big.integer(UInt32.self, in: header, at: 1) else { return 0 }
        if header[0] == 0x01 || header[0] == 0x04, header.count >= 6 {
            let length = Int(header[5])  // bounded: one byte
            let at = 6 + length  // bounded: <= 261
            if header.count >= at + 4 {  // bounded: small constants
                let instance = Endianness.big.integer(UInt32.self, in: header, at: at) ?? 0
                names[id] = (name, instance)
                return instance
            }
        }
        return names[id]?.1 ?? 0
    }

    private func wanted(_ name: String) -> Bool {
        if name == "cpu" || name == "vmcoreinfo" || name.hasSuffix("/I440FX") || name.hasSuffix("/mch") { return true }
        guard let slash = name.firstIndex(of: "/") else { return false }
        return prefixes.contains(String(name[...slash]))
    }

    func configuration(_ configuration: StreamConfiguration) throws(SaveImageError) {}

    /// Called with the blocks' store once it exists (the sparse path copies pages into it then).
    var onStore: ((RAMBlockStore) throws(SaveImageError) -> Void)?

    func ramBlocks(_ blocks: [MigrationStreamSummary.RAMBlock], total: UInt64) throws(SaveImageError) {
        guard store == nil else {
            throw SaveImageError(.badStream, path: "", field: "RAM section", expected: "one RAM block list",
                                 found: "a second one (saveimg exports one RAM section)")
        }
        let created = try RAMBlockStore(directory: directory, name: name, blocks: blocks)
        store = created
        try onStore?(created)
        for block in blocks {
            if let slash = block.name.firstIndex(of: "/") { prefixes.insert(String(block.name[...slash])) }
        }
    }

    func ramPage(block: Int, address: UInt64, content: UnsafeRawBufferPointer) throws(SaveImageError) {
        try store?.page(block: block, address: address, content: content)
    }

    func ramFilledPage(block: Int, address: UInt64, fill: UInt8) throws(SaveImageError) {
        try store?.filled(block: block, address: address, fill: fill)
    }

    func ramEndOfSection() throws(SaveImageError) {}

    /// The VM description JSON from the captured tail (0x00, 0x06, u32be length, JSON), or nil.
    func descriptionJSON() -> [UInt8]? {
        guard tail.count >= 6, tail[0] == 0x00, tail[1] == 0x06 else { return nil }
        guard let word = Endianness.big.integer(UInt32.self, in: tail, at: 2) else { return nil }
        let length = Int(word)  // bounded: a UInt32 fits in a 64-bit Int
        guard tail.count >= 6 + length else { return nil }  // bounded: length < 2^32
        return Array(tail[6..<(6 + length)])  // bounded: checked just above
    }
}
