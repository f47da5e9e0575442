#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// What `saveimg export-memory` writes.
public enum MemoryExportFormat: String, Sendable, Codable, CaseIterable {
    /// An ELF64 (or, for a vCPU outside long mode, ELF32) core as QEMU's `dump-guest-memory` writes it.
    case elf
    /// A sparse file whose offset is the guest-physical address.
    case raw
}

/// What to export, and where.
public struct MemoryExportRequest: Sendable {
    /// The memory file; nil prints the map only.
    public var output: String?
    public var format: MemoryExportFormat
    /// Where to write the UEFI variable store (the `system.flash1` block); nil: not asked.
    public var nvramOutput: String?
    /// Bytes of QEMU's QEMUCPUState note (440 from QEMU 7.1, with kernel_gs_base; 432 before).
    public var qemuCPUStateSize: Int
    /// Section headers and `.shstrtab` as QEMU >= 7.2 writes them (false: QEMU 5.2-7.1's layout).
    public var sectionHeaders: Bool

    public init(output: String?, format: MemoryExportFormat = .elf, nvramOutput: String? = nil,
                qemuCPUStateSize: Int = ELFCoreLayout.qemuCPUStateSize, sectionHeaders: Bool = true) {
        self.output = output
        self.format = format
        self.nvramOutput = nvramOutput
        self.qemuCPUStateSize = qemuCPUStateSize
        self.sectionHeaders = sectionHeaders
    }
}

/// What an export did.
public struct MemoryExportSummary: Sendable, Codable {
    public var input: String
    /// The image's stream format (raw, gzip, ..., sparse).
    public var streamFormat: String
    public var output: String?
    public var format: String?
    public var map: GuestPhysicalMap
    /// The vCPUs' registers (empty when the stream has no VM description).
    public var cpus: [VCPURegisters]
    /// Why registers are missing, when they are.
    public var registersMissing: String?
    /// ELF notes written, in order.
    public var notes: [String]
    /// ELF class and machine, for `elf`.
    public var elfClass: Int?
    public var elfMachine: Int?
    /// The guest's VMCOREINFO note size, when the guest registered one.
    public var vmcoreinfoBytes: UInt64?
    /// Why no VMCOREINFO note was written, when the device exists but could not give one.
    public var vmcoreinfoMissing: String?
    /// Bytes of non-zero pages the stream held.
    public var dataBytes: UInt64
    /// The output's size (holes included).
    public var outputBytes: UInt64?
    public var nvram: String?
    public var nvramBytes: UInt64?

    /// Encoded keys: a written file's size is `*_size` (`output_size`,
    /// `nvram_size`), as everywhere in saveimg's JSON; other byte counts `*_bytes`.
    private enum CodingKeys: String, CodingKey {
        case input, streamFormat, output, format, map, cpus, registersMissing, notes, elfClass, elfMachine
        case vmcoreinfoBytes, vmcoreinfoMissing, dataBytes, outputBytes = "outputSize", nvram, nvramBytes = "nvramSize"
    }
}

/// `saveimg export-memory`: the guest's memory and registers from a save
/// image of any stream format, as an ELF core or a raw physical image.
///
/// One pass over the stream (decoded once; a sparse image read through its
/// bitmaps) puts the RAM blocks' non-zero pages into an unlinked scratch
/// file beside the output and keeps the device sections the export needs;
/// then the guest-physical map is built and the output assembled from the
/// scratch file's data extents (`copy_file_range`). Memory stays bounded
/// (an 8 MiB pipe, a 1 MiB run of pages, the captured device state).
public enum MemoryExport {
    /// Exports the image at `path` as `request` asks. Errors name the image
    /// (or the output) and the field, offset, expected and found.
    public static func run(
        path: String, request: MemoryExportRequest, progress: (@Sendable (UInt64, UInt64) -> Void)? = nil
    ) throws(SaveImageError) -> MemoryExportSummary {
        do throws(SaveImageError) {
            return try export(path: path, request: request, progress: progress)
        } catch {
            var located = error
            if located.path.isEmpty { located.path = path }
            throw located
        }
    }

    static func export(
        path: String, request: MemoryExportRequest, progress: (@Sendable (UInt64, UInt64) -> Void)?
    ) throws(SaveImageError) -> MemoryExportSummary {
        let image = try SaveImage(contentsOf: path)
        // Under x-ignore-shared, QEMU leaves RAM in shared memory out of the
        // stream: exporting it would show that memory as zeros.
        if image.streamPrelude?.capabilities?.contains("x-ignore-shared") == true {
            throw SaveImageError(.editRejected, path: path, offset: image.streamOffset + 8, field: "configuration/capabilities",  // bounded: 8 bytes into the stream, inside the file
                                 expected: "a stream that holds the guest's RAM",
                                 found: "x-ignore-shared: RAM in shared memory (a memory backend with share=on) is not in the image; export it from the backend's file")
        }
        for target in [request.output, request.nvramOutput].compactMap({ $0 }) {
            guard let existing = FileStatus(ofLink: target) else { continue }
            throw SaveImageError(.editRejected, path: target, field: "OUT", expected: "a path that does not exist",
                                 found: existing.outputInTheWay(refusal: "export-memory never replaces one"))
        }
        let scratch = ReplacementFile.split(request.output ?? request.nvramOutput ?? "/tmp/x")
        let capture = MemoryCapture(directory: (request.output ?? request.nvramOutput) == nil ? "/tmp" : scratch.directory,
                                    name: scratch.name)
        try walk(image: image, capture: capture, progress: progress)
        guard let store = capture.store else {
            throw SaveImageError(.badStream, path: path, field: "RAM section", expected: "a RAM block list", found: "none")
        }
        try store.flush()
        let json = capture.descriptionJSON()
        let devices = try json.map { (json) throws(SaveImageError) in try VMStateDevice.devices(json: json, offset: nil) } ?? []
        func describe(_ section: MemoryCapture.Section) -> VMStateDevice? {
            devices.first { $0.name == section.name && $0.instanceID == section.instance }
        }
        // Registers.
        var cpus: [VCPURegisters] = []
        var registersMissing: String?
        let cpuSections = capture.sections.filter { $0.name == "cpu" }.sorted { $0.instance < $1.instance }
        if json == nil {
            registersMissing = "the stream has no VM description (QEMU's vmdesc): register fields cannot be located"
        } else if cpuSections.isEmpty {
            registersMissing = "the stream has no cpu sections"
        } else {
            for section in cpuSections {
                guard let device = describe(section) else {
                    registersMissing = "the VM description does not describe cpu \(section.instance)"
                    cpus = []
                    break
                }
                do throws(SaveImageError) {
                    cpus.append(try VCPURegisters(device: device, state: section.bytes))
                } catch {
                    var located = error
                    located.path = path
                    throw located
                }
            }
        }
        // The map.
        var inputs = GuestPhysicalMap.Inputs(machine: image.domain.machine ?? "", blocks: store.blocks)
        if inputs.machine.isEmpty, let machine = image.streamPrelude?.machineType { inputs.machine = machine }
        // The saved (migratable) XML has no aliases: libvirt numbers each model's devices in order
        // (qemuAssignDeviceMemoryAlias: dimm0, dimm1, nvdimm0 ...) and names the backend mem<alias>.
        var counts: [String: Int] = [:]
        for memory in image.domain.element.first("devices")?.all("memory") ?? [] {
            let prefix = memory[attribute: "model"] ?? "dimm"
            let ordinal = counts[prefix, default: 0]
            counts[prefix] = ordinal + 1  // bounded: a count of XML elements
            let alias = memory.first("alias")?[attribute: "name"] ?? prefix + String(ordinal)
            let block = "mem" + alias
            if memory[attribute: "model"] == "nvdimm" { inputs.nonVolatile.insert(block); continue }
            if let base = memory.first("address")?[attribute: "base"], let value = parseNumber(base) { inputs.dimms[block] = value }
        }
        for section in capture.sections where section.name.hasSuffix("/I440FX") || section.name.hasSuffix("/mch") {
            guard let device = describe(section), let config = try pciConfig(device, section) else { continue }
            let at = section.name.hasSuffix("/mch") ? 0x90 : 0x59
            if config.count >= at + 7 { inputs.pam = Array(config[at..<(at + 7)]) }  // bounded: constants
        }
        for block in store.blocks {
            guard let slash = block.name.firstIndex(of: "/") else { continue }
            let prefix = String(block.name[...slash])
            let suffix = String(block.name[block.name.index(after: slash)...])
            guard suffix == "vga.vram" || suffix.hasSuffix(".rom"),
                  let section = capture.sections.first(where: { $0.name.hasPrefix(prefix) }),
                  let device = describe(section), let config = try pciConfig(device, section), config.count >= 0x40 else { continue }
            let command = Endianness.little.integer(UInt16.self, in: config, at: 4) ?? 0  // config.count >= 0x40 checked
            let register = suffix == "vga.vram" ? 0x10 : 0x30
            let low = UInt64(Endianness.little.integer(UInt32.self, in: config, at: register) ?? 0)  // config.count >= 0x40 checked
            var base: UInt64
            if register == 0x30 {
                guard low & 1 != 0 else { inputs.barNotMapped[block.name] = "PCI option ROM: ROM BAR not enabled"; continue }
                base = low & ~0x7ff
            } else {
                guard low & 1 == 0 else { continue }
                base = low & ~0xf
                if (low >> 1) & 3 == 2 {
                    let high = UInt64(Endianness.little.integer(UInt32.self, in: config, at: 0x14) ?? 0)
                    base |= high << 32
                }
            }
            guard command & 2 != 0, base != 0 else {
                inputs.barNotMapped[block.name] = "PCI BAR not decoded (memory space off or BAR unset)"
                continue
            }
            inputs.barPlacements[block.name] = base
        }
        // The VGA's chain-4 window (hw/display/vga.c, vga_update_memory_access):
        // sr[2] all planes and sr[4] chain-4 map VRAM at 0xa0000 as gr[6] says.
        for section in capture.sections where section.name.hasSuffix("/vga") {
            guard let device = describe(section), let block = store.blocks.first(where: {
                $0.name.hasSuffix("vga.vram") && section.name.hasPrefix(String($0.name.prefix { $0 != "/" }))
            }), let srPath = device.path(toFirst: "sr"), let grPath = device.path(toFirst: "gr"),
                let sr = try device.bytes(srPath, in: section.bytes), let gr = try device.bytes(grPath, in: section.bytes),
                sr.count >= 5, gr.count >= 7 else { continue }
            // With VBE enabled (vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED) QEMU reads sr_vbe,
            // which vbe_update_vgaregs sets to all planes and chain 4.
            let vbe = try device.path(toFirst: "vbe_regs").map { (path) throws(SaveImageError) in
                let last = VMStatePathStep(path[path.count - 1].name, element: 4)  // bounded: path is not empty (path(toFirst:) returns a step or nil)
                return try device.unsigned(Array(path.dropLast()) + [last], in: section.bytes)  // bounded: array concatenation
            } ?? nil
            let vbeEnabled = (vbe ?? 0) & 1 != 0
            guard vbeEnabled || (sr[2] & 0x0f == 0x0f && sr[4] & 0x08 != 0) else { continue }
            var bank: UInt64 = 0
            if let path = device.path(toFirst: "bank_offset"), let value = try device.unsigned(path, in: section.bytes) {
                bank = UInt64(UInt32(truncatingIfNeeded: value))
            }
            switch (gr[6] >> 2) & 3 {
            case 0: inputs.vgaWindow = (0xa0000, 0x20000, block.name, 0)
            case 1: inputs.vgaWindow = (0xa0000, 0x10000, block.name, bank)
            case 2: inputs.vgaWindow = (0xb0000, 0x8000, block.name, 0)
            default: inputs.vgaWindow = (0xb8000, 0x8000, block.name, 0)
            }
        }
        let map = try GuestPhysicalMap(inputs)
        var summary = MemoryExportSummary(
            input: path, streamFormat: image.effectiveFormat.description, output: request.output,
            format: request.output == nil ? nil : request.format.rawValue, map: map, cpus: cpus,
            registersMissing: registersMissing, notes: [], dataBytes: store.dataBytes)
        // VMCOREINFO.
        var guestNote: [UInt8]?
        if let section = capture.sections.first(where: { $0.name == "vmcoreinfo" }), let device = describe(section) {
            let present = try device.unsigned([.init("has_vmcoreinfo")], in: section.bytes) ?? 0
            let size = try device.unsigned([.init("vmcoreinfo.size")], in: section.bytes) ?? 0
            let address = try device.unsigned([.init("vmcoreinfo.paddr")], in: section.bytes) ?? 0
            let guestFormat = try device.unsigned([.init("vmcoreinfo.guest_format")], in: section.bytes) ?? 0
            if present == 0 {
                summary.vmcoreinfoMissing = "the guest registered no VMCOREINFO"
            } else if size < 12 || size > 1 << 20 || guestFormat != 1 {
                summary.vmcoreinfoMissing = "invalid guest note (size \(size), format \(guestFormat))"
            } else if let note = try readGuest(store: store, map: map, address: address, count: Int(size)),  // bounded: size <= 1 MiB
                      let noteSize = ELFCoreLayout.guestNoteSize(note, limit: size) {
                guestNote = Array(note[0..<Int(noteSize)])  // bounded: noteSize <= size
                summary.vmcoreinfoBytes = noteSize
            } else {
                summary.vmcoreinfoMissing = "the note at \(Hex.number(address)) is outside the map or malformed"
            }
        }
        if let output = request.output {
            let loads = map.ranges.map { ELFCoreLayout.Load(guestAddress: $0.guestAddress, size: $0.size) }
            var prefix: [UInt8] = []
            var suffix: [UInt8] = []
            var targets: [UInt64]
            var size: UInt64
            switch request.format {
            case .elf:
                let layout = try ELFCoreLayout(cpus: cpus, loads: loads, guestNote: guestNote,
                                               qemuCPUStateSize: request.qemuCPUStateSize,
                                               sectionHeaders: request.sectionHeaders)
                prefix = layout.prefix
                suffix = layout.suffix
                targets = layout.loadOffsets
                size = layout.size
                summary.notes = layout.notes
                summary.elfClass = layout.is64Bit ? 64 : 32
                summary.elfMachine = Int(layout.machine)  // bounded: UInt16 widens
            case .raw:
                targets = map.ranges.map(\.guestAddress)
                size = map.ranges.last?.end ?? 0
            }
            try write(output, prefix: prefix, suffix: suffix, size: size, store: store,
                      pieces: zip(map.ranges, targets).compactMap { range, target in
                          store.index(of: range.block).map { ($0, range.blockOffset, range.size, target) }
                      })
            summary.outputBytes = size
        }
        if let nvram = request.nvramOutput {
            guard let index = store.blocks.firstIndex(where: { $0.name.hasSuffix("flash1") }) else {
                throw SaveImageError(.editRejected, path: path, field: "RAM blocks",
                                     expected: "a UEFI variable store (system.flash1: an OVMF guest with <nvram>)",
                                     found: store.blocks.map(\.name).joined(separator: ", "))
            }
            let size = store.blocks[index].size
            try write(nvram, prefix: [], suffix: [], size: size, store: store, pieces: [(index, 0, size, 0)])
            summary.nvram = nvram
            summary.nvramBytes = size
        }
        return summary
    }

    /// Walks the stream of `image` into `capture` through the one walker
    /// driver (``StreamWalk``): decoded on a second thread; a sparse image's
    /// present pages go straight from the file into the store (O(allocated))
    /// and the walker sees the stream without page records.
    static func walk(image: SaveImage, capture: MemoryCapture,
                     progress: (@Sendable (UInt64, UInt64) -> Void)?) throws(SaveImageError) {
        let stream = image.stream
        var layout: MappedRAMLayout?
        if stream.format == .sparse {
            let read = try stream.mappedRAMLayout()
            layout = read
            let reader = stream.reader
            capture.onStore = { (store) throws(SaveImageError) in try SparseRAMCopy.copyPages(reader, layout: read, into: store) }
        } else if !StreamFormat.codecFormats.contains(stream.format) {
            var error = StreamFormat.unsupported(stream.format)
            error.path = image.path
            throw error
        }
        let walk = try StreamWalk(source: stream, hashing: false, observer: capture, tap: nil, layout: layout,
                                  sparsePages: false, readingRawOnThisThread: false, progress: progress)
        if let failure = walk.sourceFailure { throw failure }
        if var failure = walk.failure {
            failure.path = image.path
            failure.field = "raw stream: " + failure.field
            throw failure
        }
    }

    /// The PCI config space of a device section (its `config` buffer), if the description has one.
    static func pciConfig(_ device: VMStateDevice, _ section: MemoryCapture.Section) throws(SaveImageError) -> [UInt8]? {
        guard let path = device.path(toFirst: "config[0]") ?? device.path(toFirst: "config") else { return nil }
        return try device.bytes(path, in: section.bytes)
    }

    /// `count` bytes of guest memory at `address`, when one range holds them all.
    static func readGuest(store: RAMBlockStore, map: GuestPhysicalMap, address: UInt64, count: Int) throws(SaveImageError) -> [UInt8]? {
        guard let (range, offset) = map.locate(address), offset + UInt64(count) <= range.size,  // bounded: count <= 1 MiB
              let index = store.index(of: range.block) else { return nil }
        return try store.read(block: index, offset: range.blockOffset + offset, count: count)  // bounded: within the range
    }

    /// Writes a new file `output` (0600, never replacing one): `prefix` at 0, `suffix` at the end,
    /// size `size`, and each piece (block, offset, size, target) copied from
    /// the store's data extents; holes stay holes. Written beside `output`
    /// and hard-linked into place only when complete (`link` refuses a name
    /// that appeared meanwhile).
    static func write(_ output: String, prefix: [UInt8], suffix: [UInt8], size: UInt64, store: RAMBlockStore,
                      pieces: [(block: Int, offset: UInt64, size: UInt64, target: UInt64)]) throws(SaveImageError) {
        let file = try ReplacementFile(replacing: output, label: "saveimg-export", removeOnSignal: true)
        try file.setSize(size)
        if !prefix.isEmpty { try file.write(prefix, at: 0) }
        if !suffix.isEmpty { try file.write(suffix, at: size - UInt64(suffix.count)) }  // bounded: size includes the suffix
        for piece in pieces {
            let start = try Checked.add(store.offsets[piece.block], piece.offset, Checked.Source(path: output, field: "piece"))
            let end = try Checked.add(start, piece.size, Checked.Source(path: output, field: "piece"))
            _ = try StreamCopier.copy(from: store.file, range: start, to: end, into: file, at: piece.target)
        }
        try file.sync()
        if link(file.temporaryPath, output) != 0 {
            let code = errno
            throw SaveImageError(.io, path: output, field: "OUT",
                                 expected: "a new file", found: code == EEXIST ? "a file created meanwhile (left alone)"
                                                                                : String(cString: strerror(code)))
        }
        try file.syncDirectory()
    }

    /// A number in the domain XML: decimal or 0x hex.
    static func parseNumber(_ text: String) -> UInt64? {
        Hex.parseNumber(text)
    }
}
