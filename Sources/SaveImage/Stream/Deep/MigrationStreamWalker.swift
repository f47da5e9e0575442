/// Walks a raw QEMU migration stream (version 3) from start to end, in the
/// manner of QEMU's `scripts/analyze-migration.py`, and reports what it holds
/// or where it stops making sense.
///
/// ```
/// "QEVM" u32be(3)
/// [0x07 configuration: u32be len, machine type, subsections (0x05 ...)]
/// sections:
///   0x01 START / 0x04 FULL: u32be id, u8 len, idstr, u32be instance, u32be version, data, footer
///   0x02 PART  / 0x03 END : u32be id, data, footer
///   0x08 COMMAND: u16be command, u16be len, data
///   footer: 0x7e u32be id
/// 0x00 EOF, then optionally 0x06 u32be len + VM description JSON
/// ```
///
/// The RAM section's data is a list of page records (`u64be address|flags`,
/// then a block name unless CONTINUE, then 1 byte for ZERO or a 4 KiB page
/// for PAGE, until EOS) and is checked record by record. Other devices'
/// state has no length in the stream (only the VM description, at the very
/// end, describes it); its end is found as the section footer followed by a
/// plausible next section.
struct MigrationStreamWalker {
    static let pageSize: UInt64 = 4096

    enum SectionType: UInt8 {
        case eof = 0x00, start = 0x01, part = 0x02, end = 0x03, full = 0x04
        case subsection = 0x05, vmDescription = 0x06, configuration = 0x07, command = 0x08, footer = 0x7e
    }

    enum RAMFlag {
        static let zero: UInt64 = 0x02, memSize: UInt64 = 0x04, page: UInt64 = 0x08, eos: UInt64 = 0x10
        static let `continue`: UInt64 = 0x20, xbzrle: UInt64 = 0x40, compressPage: UInt64 = 0x100
        static let multifdFlush: UInt64 = 0x200
        static let known: UInt64 = zero | memSize | page | eos | `continue` | xbzrle | compressPage | multifdFlush
    }

    let cursor: StreamCursor
    var summary = MigrationStreamSummary()
    /// Sees the walk (digest, mapped-ram writer); nil for a plain walk.
    let observer: (any MigrationStreamObserver)?
    private var sectionNames: [UInt32: String] = [:]
    private var ramBlocks: [String: (index: Int, size: UInt64)] = [:]
    /// The block the last named page record named (CONTINUE records are in it), looked up once.
    private var currentBlock: (name: String, index: Int, size: UInt64)?
    /// Pages whose address did not follow the previous page's (a page sent twice or out of order).
    private(set) var pagesOutOfOrder: UInt64 = 0
    private var lastPage: (block: Int, address: UInt64)?

    init(cursor: StreamCursor, observer: (any MigrationStreamObserver)? = nil) {
        self.cursor = cursor
        self.observer = observer
    }

    private func enter(_ part: MigrationStreamPart) throws(SaveImageError) {
        try observer?.enter(part, cursor: cursor)
    }

    /// Walks to QEMU_VM_EOF and the VM description; throws at the first
    /// inconsistency (truncation included) with its raw-stream offset.
    mutating func walk() throws(SaveImageError) {
        try readPrelude()
        while true {
            let offset = cursor.offset
            cursor.context = "section header"
            switch cursor.peek(1).first {
            case SectionType.eof.rawValue: try enter(.end)
            case SectionType.command.rawValue: try enter(.command)
            default: try enter(.sectionHeader)
            }
            let raw = try cursor.byte("a section type")
            guard let type = SectionType(rawValue: raw) else {
                throw garbage(at: offset, expected: "a section type (0x00-0x04, 0x08)", found: Hex.byte(raw))
            }
            switch type {
            case .eof:
                summary.reachedEOF = true
                try readDescription()
                return
            case .start, .full: try readNewSection(type, at: offset)
            case .part, .end: try readContinuedSection(type, at: offset)
            case .command:
                let command = try cursor.u16("a command number")
                let length = try cursor.u16("a command length")
                try cursor.skip(UInt64(length), "command \(command) data")
                summary.commands = try count(summary.commands, plus: 1, "the command count")
            default:
                throw garbage(at: offset, expected: "a section type (0x00-0x04, 0x08)", found: Hex.byte(raw))
            }
        }
    }

    // MARK: Prelude and configuration

    private mutating func readPrelude() throws(SaveImageError) {
        cursor.context = "stream magic"
        try enter(.fileHeader)
        let magic = try cursor.bytes(4, "QEMU_VM_FILE_MAGIC")
        guard magic == QEMUStreamPrelude.magic else {
            throw garbage(at: 0, expected: "\"QEVM\" (a QEMU migration stream)", found: magic.map(Hex.byte).joined(separator: " "))
        }
        let version = try cursor.u32("the stream version")
        summary.version = version
        guard version == 3 else { throw garbage(at: 4, expected: "stream version 3", found: "\(version)") }
        guard cursor.peek(1) == [SectionType.configuration.rawValue] else { return }
        cursor.context = "configuration section"
        try enter(.configuration)
        _ = try cursor.byte()
        let configuration = try StreamConfiguration.read(from: cursor)
        summary.machineType = configuration.machineType
        summary.capabilities = configuration.capabilities
        try observer?.configuration(configuration)
    }

    // MARK: Sections

    private mutating func readNewSection(_ type: SectionType, at offset: UInt64) throws(SaveImageError) {
        let id = try cursor.u32("a section id")
        let length = try cursor.byte("an idstr length")
        let name = String(decoding: try cursor.bytes(try int(length, "an idstr length"), "an idstr"), as: UTF8.self)
        let instance = try cursor.u32("an instance id")
        let version = try cursor.u32("a version id")
        guard sectionNames[id] == nil else {
            throw garbage(at: try forward(offset, 1), expected: "a new section id", found: "id \(id) again ('\(name)')")
        }
        sectionNames[id] = name
        summary.sections.append(.init(id: id, name: name, instance: instance, version: version, offset: offset))
        cursor.context = "section \(id) (\(name))"
        try readSectionBody(id, name)
    }

    private mutating func readContinuedSection(_ type: SectionType, at offset: UInt64) throws(SaveImageError) {
        let id = try cursor.u32("a section id")
        guard let name = sectionNames[id] else {
            throw garbage(at: try forward(offset, 1), expected: "the id of a started section", found: "id \(id)")
        }
        cursor.context = "section \(id) (\(name))"
        if let index = summary.sections.firstIndex(where: { $0.id == id }) {
            summary.sections[index].parts = try count(summary.sections[index].parts, plus: 1, "the section's part count")
        }
        try readSectionBody(id, name)
    }

    private mutating func readSectionBody(_ id: UInt32, _ name: String) throws(SaveImageError) {
        if name == "ram" {
            try enter(.ramRecords)
            try readRAMRecords()
        } else {
            try enter(.deviceState(name: name))
            try skipToFooter(id)
        }
        try enter(.footer(ram: name == "ram"))
        try readFooter(id)
    }

    private func readFooter(_ id: UInt32) throws(SaveImageError) {
        let offset = cursor.offset
        let marker = try cursor.byte("a section footer")
        let footerID = try cursor.u32("the footer's section id")
        guard marker == SectionType.footer.rawValue, footerID == id else {
            throw garbage(at: offset, expected: "footer 0x7e + section id \(id)",
                          found: "\(Hex.byte(marker)) + \(footerID)")
        }
    }

    /// Advances to the footer of section `id`: 0x7e, the id, and a plausible next section.
    private func skipToFooter(_ id: UInt32) throws(SaveImageError) {
        let start = cursor.offset
        let idBytes: [UInt8] = [0x7e, UInt8(truncatingIfNeeded: id >> 24), UInt8(truncatingIfNeeded: id >> 16),
                                UInt8(truncatingIfNeeded: id >> 8), UInt8(truncatingIfNeeded: id)]
        while true {
            // The footer starts with 0x7e: jump to each candidate rather than peeking at every byte.
            let found = try cursor.skip(toNext: SectionType.footer.rawValue)
            let ahead = found ? cursor.peek(5) : []
            if ahead.count < 5 {
                throw SaveImageError(.badStream, path: "", offset: cursor.offset, field: cursor.context,
                                     expected: "the section's footer (state started at \(start))",
                                     found: "end of stream (truncated)")
            }
            if ahead == idBytes, plausibleNextSection(afterFooterAt: cursor.offset) { return }
            try cursor.skip(1, "device state")
        }
    }

    private func plausibleNextSection(afterFooterAt offset: UInt64) -> Bool {
        let ahead = cursor.peek(5 + 1 + 4 + 1 + 256)  // bounded: constants
        guard ahead.count > 5 else { return false }
        let type = ahead[5]
        switch SectionType(rawValue: type) {
        case .eof:
            // QEMU_VM_EOF ends the stream or is followed by the VM description
            // (0x06): a bare 0x00 after 0x7e + id inside device state (QEMU
            // 11.1's timer state has 7e 00000000 00) is not the end.
            return ahead.count == 6 || ahead[6] == SectionType.vmDescription.rawValue
        case .part, .end:
            guard ahead.count >= 10 else { return false }
            return Endianness.big.integer(UInt32.self, in: ahead, at: 6).flatMap { sectionNames[$0] } != nil
        case .start, .full:
            guard ahead.count >= 11 else { return false }
            let length = Int(ahead[10])  // bounded: one byte, 0...255
            guard let id = Endianness.big.integer(UInt32.self, in: ahead, at: 6), sectionNames[id] == nil, length > 0, ahead.count >= 11 + length else { return false }  // bounded: length <= 255
            return ahead[11..<(11 + length)].allSatisfy { (0x20..<0x7f).contains($0) }  // bounded: checked just above
        case .command: return true
        default: return false
        }
    }

    // MARK: RAM

    private mutating func readRAMRecords() throws(SaveImageError) {
        while true {
            let offset = cursor.offset
            let word = try cursor.u64("a RAM page record")
            let flags = word & (Self.pageSize - 1)  // bounded: constant 4095
            let address = word & ~(Self.pageSize - 1)  // bounded: constant 4095
            guard flags & ~RAMFlag.known == 0 else {
                throw garbage(at: offset, expected: "RAM page flags", found: Hex.number(flags))
            }
            // QEMU's ram_load_precopy switches on the flags without CONTINUE:
            // a record of no kind, or of two, is "Unknown combination of
            // migration flags" there (5.2, 7.2 and 10.0 alike).
            switch flags & ~RAMFlag.continue {
            case RAMFlag.memSize:
                try readRAMBlockList(total: address)
            case RAMFlag.zero:
                try takeZeroPage(block: try checkPageAddress(address, flags: flags, recordOffset: offset), address: address)
            case RAMFlag.page:
                try takeFullPage(block: try checkPageAddress(address, flags: flags, recordOffset: offset), address: address)
            case RAMFlag.xbzrle:
                _ = try checkPageAddress(address, flags: flags, recordOffset: offset)
                if observer != nil { throw unsupportedEncoding("XBZRLE", at: offset) }
                _ = try cursor.byte("an XBZRLE header")
                try cursor.skip(UInt64(try cursor.u16("an XBZRLE length")), "XBZRLE data")
                summary.pages = try Checked.add(summary.pages, 1, source("the page count"))
            case RAMFlag.compressPage:
                _ = try checkPageAddress(address, flags: flags, recordOffset: offset)
                if observer != nil { throw unsupportedEncoding("compressed", at: offset) }
                try cursor.skip(UInt64(try cursor.u32("a compressed page length")), "a compressed page")
                summary.pages = try Checked.add(summary.pages, 1, source("the page count"))
            case RAMFlag.eos:
                try observer?.ramEndOfSection()
                return
            case RAMFlag.multifdFlush:
                break
            default:
                throw garbage(at: offset, expected: "a RAM record of one kind (QEMU refuses other flag combinations)",
                              found: "flags " + Hex.number(flags))
            }
        }
    }

    /// A zero page record's fill byte.
    private mutating func takeZeroPage(block: Int, address: UInt64) throws(SaveImageError) {
        let fill = try cursor.byte("a zero page's fill byte")
        summary.zeroPages = try Checked.add(summary.zeroPages, 1, source("the zero page count"))
        try observer?.ramFilledPage(block: block, address: address, fill: fill)
    }

    /// A full page record's 4 KiB.
    private mutating func takeFullPage(block: Int, address: UInt64) throws(SaveImageError) {
        if let observer {
            // bounded: the 4 KiB page size constant
            try cursor.withBytes(Int(Self.pageSize), "a RAM page") { (content) throws(SaveImageError) in  // bounded: in-memory sizes
                try observer.ramPage(block: block, address: address, content: content)
            }
        } else {
            try cursor.skip(Self.pageSize, "a RAM page")
        }
        summary.pages = try Checked.add(summary.pages, 1, source("the page count"))
    }

    /// Pages the observer cannot take: their content is a delta or compressed.
    private func unsupportedEncoding(_ kind: String, at offset: UInt64) -> SaveImageError {
        garbage(at: offset, expected: "full or zero RAM pages (what libvirt's saves contain)",
                found: "a \(kind) page record, which saveimg does not decode")
    }

    private mutating func readRAMBlockList(total: UInt64) throws(SaveImageError) {
        var remaining = total
        let first = summary.ramBlocks.count
        while remaining > 0 {
            let offset = cursor.offset
            let length = try cursor.byte("a RAM block name length")
            let name = String(decoding: try cursor.bytes(try int(length, "a RAM block name length"), "a RAM block name"),
                              as: UTF8.self)
            let size = try cursor.u64("a RAM block size")
            // x-ignore-shared: each entry carries the block's guest address (ram_save_setup).
            let address = summary.capabilities.contains("x-ignore-shared") ? try cursor.u64("a RAM block guest address (x-ignore-shared)") : nil
            guard size <= remaining else {
                throw garbage(at: offset, expected: "RAM blocks adding up to \(total) bytes",
                              found: "block '\(name)' of \(size) bytes with \(remaining) left")
            }
            guard ramBlocks[name] == nil else {
                throw garbage(at: offset, expected: "each RAM block once", found: "block '\(name)' again")
            }
            ramBlocks[name] = (summary.ramBlocks.count, size)
            summary.ramBlocks.append(.init(name: name, size: size, guestAddress: address))
            remaining = try Checked.subtract(remaining, size, source("the RAM block list total"))
        }
        try observer?.ramBlocks(Array(summary.ramBlocks[first...]), total: total)
    }

    /// Checks a page record's block and address; returns the block's index.
    private mutating func checkPageAddress(_ address: UInt64, flags: UInt64, recordOffset: UInt64) throws(SaveImageError) -> Int {
        if flags & RAMFlag.continue == 0 {
            let length = try cursor.byte("a RAM block name length")
            let name = String(decoding: try cursor.bytes(try int(length, "a RAM block name length"), "a RAM block name"),
                              as: UTF8.self)
            guard let (index, size) = ramBlocks[name] else {
                throw garbage(at: try forward(recordOffset, 8), expected: "a RAM block from the section start", found: "'\(name)'")
            }
            currentBlock = (name, index, size)
        }
        guard let (block, index, size) = currentBlock else {
            throw garbage(at: recordOffset, expected: "a RAM block before CONTINUE", found: "none")
        }
        guard address < size else {
            throw garbage(at: recordOffset, expected: "a page address below \(block)'s size \(size)",
                          found: Hex.number(address))
        }
        if let last = lastPage, !(index > last.block || (index == last.block && address > last.address)) {
            pagesOutOfOrder += 1  // bounded: a count of pages seen, at most the stream length / 4096
        }
        lastPage = (index, address)
        return index
    }

    // MARK: VM description

    private mutating func readDescription() throws(SaveImageError) {
        guard cursor.peek(1) == [SectionType.vmDescription.rawValue] else { return }
        cursor.context = "VM description"
        let offset = cursor.offset
        _ = try cursor.byte()
        let length = try cursor.u32("the VM description length")
        guard length <= 64 << 20 else {
            throw garbage(at: try forward(offset, 1), expected: "a VM description of at most 64 MiB", found: "\(length) bytes")
        }
        let json = try cursor.bytes(try int(length, "the VM description length"), "the VM description")
        summary.description = try VMDescription(json: json, offset: try forward(offset, 5))
    }

    // MARK: Helpers

    private func garbage(at offset: UInt64, expected: String, found: String) -> SaveImageError {
        SaveImageError(.badStream, path: "", offset: offset, field: cursor.context, expected: expected, found: found)
    }

    /// Where a number is being read, for ``Checked`` errors.
    private func source(_ field: String) -> Checked.Source {
        Checked.Source(path: "", offset: cursor.offset, field: cursor.context + ": " + field)  // bounded: string concatenation
    }

    /// A length read from the stream as a count of bytes to read.
    private func int<T: UnsignedInteger>(_ value: T, _ field: String) throws(SaveImageError) -> Int {
        try Checked.int(UInt64(value), source(field))
    }

    /// `offset + delta` (an offset inside a record, for messages), checked.
    private func forward(_ offset: UInt64, _ delta: UInt64) throws(SaveImageError) -> UInt64 {
        try Checked.add(offset, delta, source("an offset"))
    }

    /// The cursor's offset `delta` bytes back (the start of a word just read), checked.
    private func back(_ delta: UInt64) throws(SaveImageError) -> UInt64 {
        try Checked.subtract(cursor.offset, delta, source("an offset"))
    }

    /// A counter plus `delta`, checked.
    private func count(_ value: Int, plus delta: Int, _ field: String) throws(SaveImageError) -> Int {
        let (sum, overflow) = value.addingReportingOverflow(delta)
        if overflow { throw Checked.outOfRange(source(field), expected: "a count below 2^63", found: "\(value) + \(delta)") }
        return sum
    }

}
