/// Where each RAM block of a save image sits in the guest's physical address
/// space: the stream records block names and sizes only, so the map is
/// rebuilt from the machine type, the saved domain XML and a few registers
/// of the device state, as QEMU lays it out (rules and sources in EXPORT.md):
///
/// - `hw/i386/pc_piix.c` (i440fx): all RAM below 4 GiB up to 3.5 GiB
///   (0xe0000000), otherwise 3 GiB below (gigabyte alignment) and the rest
///   from 4 GiB; `hw/i386/pc_q35.c`: up to 2.75 GiB (0xb0000000), otherwise
///   2 GiB below. `max-ram-below-4g` lowers the split.
/// - NUMA: the nodes' memory backends (`ram-node<N>`) concatenated in node
///   order form the machine's RAM before the split (`hw/core/numa.c`).
/// - 0xa0000-0xbffff is the VGA window when there is a VGA device (else RAM
///   shows through the empty PCI window); 0xc0000-0xfffff is
///   RAM or, per 16 KiB segment, the ROMs behind it, as the host bridge's
///   PAM registers say (`hw/pci-host/pam.c`).
/// - `pc.bios` ends at 4 GiB (`hw/i386/x86-common.c`, `x86_bios_rom_init`).
/// - DIMMs at the base libvirt records (`<address type='dimm' base=...>`).
/// - A PCI device's RAM (VGA's `vga.vram`) at its BAR when memory decoding is
///   on, and the VGA's chain-4 window at 0xa0000 (`hw/display/vga.c`,
///   `vga_update_memory_access`).
public struct GuestPhysicalMap: Hashable, Sendable, Codable {
    /// A piece of a RAM block at a guest-physical address.
    public struct Range: Hashable, Sendable, Codable {
        public var guestAddress: UInt64
        public var size: UInt64
        public var block: String
        public var blockOffset: UInt64
        /// Which rule placed it.
        public var rule: String
        public var end: UInt64 { guestAddress &+ size }  // bounded: merged() checks every range's end with Checked.add
    }

    /// A RAM block the map leaves out, and why.
    public struct Skipped: Hashable, Sendable, Codable {
        public var block: String
        public var size: UInt64
        public var reason: String
    }

    public var machine: String
    /// "i440fx" or "q35".
    public var chipset: String
    /// The machine's RAM (main RAM or NUMA nodes), before the split.
    public var ramSize: UInt64
    public var belowFourGiB: UInt64
    public var aboveFourGiB: UInt64
    /// Ranges in guest-address order, merged where one block continues another.
    public var ranges: [Range]
    public var skipped: [Skipped]
    /// Assumptions the map had to make (no PAM registers in the state, ...).
    public var notes: [String]

    /// What the map is built from.
    public struct Inputs: Hashable, Sendable {
        /// Machine type: the domain XML's `os/type/@machine` (or the stream's).
        public var machine: String
        /// The stream's RAM blocks, in stream order.
        public var blocks: [MigrationStreamSummary.RAMBlock]
        /// DIMM memory backends (block names, `mem<alias>`) and their base addresses.
        public var dimms: [String: UInt64] = [:]
        /// DIMM-like devices QEMU's dump leaves out (NVDIMMs: non-volatile).
        public var nonVolatile: Set<String> = []
        /// `max-ram-below-4g`, when the XML passes one.
        public var maxRAMBelow4G: UInt64?
        /// PAM0..PAM6 of the host bridge's PCI config (i440fx 0x59, q35 0x90); nil when not known.
        public var pam: [UInt8]?
        /// Blocks of PCI devices placed at a BAR: block name -> guest address.
        public var barPlacements: [String: UInt64] = [:]
        /// Blocks of PCI devices whose BAR is not decoded (memory space off, BAR unset), with why.
        public var barNotMapped: [String: String] = [:]
        /// The VGA's chain-4 window into its VRAM (`vga.chain4`), when the sequencer and graphics registers open it.
        public var vgaWindow: (address: UInt64, size: UInt64, block: String, offset: UInt64)?

        public init(machine: String, blocks: [MigrationStreamSummary.RAMBlock]) {
            self.machine = machine
            self.blocks = blocks
        }

        public static func == (a: Inputs, b: Inputs) -> Bool {
            a.machine == b.machine && a.blocks == b.blocks && a.dimms == b.dimms && a.pam == b.pam
                && a.barPlacements == b.barPlacements && a.vgaWindow?.address == b.vgaWindow?.address
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(machine)
            hasher.combine(blocks)
        }
    }

    static let fourGiB: UInt64 = 1 << 32

    public init(_ inputs: Inputs) throws(SaveImageError) {
        machine = inputs.machine
        let lower = inputs.machine.lowercased()
        if lower.contains("q35") {
            chipset = "q35"
        } else if lower == "pc" || lower.contains("i440fx") || lower.hasPrefix("pc-") {
            chipset = "i440fx"
        } else {
            throw SaveImageError(.editRejected, path: "", field: "machine type", expected: "an i440fx (pc) or q35 machine",
                                 found: "'\(inputs.machine)' (saveimg does not know its memory map)")
        }
        var sizes: [String: UInt64] = [:]
        for block in inputs.blocks { sizes[block.name] = block.size }
        // Main RAM: pc.ram, or the NUMA nodes' backends in node order.
        var main: [(name: String, size: UInt64)] = []
        if let size = sizes["pc.ram"] {
            main = [("pc.ram", size)]
        } else {
            let nodes = inputs.blocks.compactMap { block -> (Int, MigrationStreamSummary.RAMBlock)? in
                guard block.name.hasPrefix("ram-node"), let number = Int(block.name.dropFirst(8)) else { return nil }  // bounded: parsing text, nil when not a number
                return (number, block)
            }.sorted { $0.0 < $1.0 }
            main = nodes.map { ($0.1.name, $0.1.size) }
        }
        guard !main.isEmpty else {
            throw SaveImageError(.badStream, path: "", field: "RAM blocks", expected: "pc.ram or ram-node<N> (the guest's RAM)",
                                 found: inputs.blocks.map(\.name).joined(separator: ", "))
        }
        var ramSize: UInt64 = 0
        for block in main { ramSize = try Checked.add(ramSize, block.size, Self.source("RAM size")) }
        self.ramSize = ramSize
        var lowmem: UInt64 = chipset == "q35" ? (ramSize >= 0xb000_0000 ? 0x8000_0000 : 0xb000_0000)
                                              : (ramSize >= 0xe000_0000 ? 0xc000_0000 : 0xe000_0000)
        if let limit = inputs.maxRAMBelow4G, limit > 0, limit < lowmem { lowmem = limit }
        belowFourGiB = min(ramSize, lowmem)
        aboveFourGiB = ramSize - belowFourGiB  // bounded: belowFourGiB <= ramSize
        var ranges: [Range] = []
        var notes: [String] = []
        var placed: Set<String> = []
        // Machine RAM [0, ramSize): node pieces, split at belowFourGiB.
        var machineOffset: UInt64 = 0
        for block in main {
            let start = machineOffset, end = machineOffset + block.size  // bounded: sum checked above
            if start < belowFourGiB {
                let pieceEnd = min(end, belowFourGiB)
                ranges.append(Range(guestAddress: start, size: pieceEnd - start, block: block.name, blockOffset: 0,  // bounded: start < pieceEnd
                                    rule: "RAM below 4 GiB"))
            }
            if end > belowFourGiB {
                let pieceStart = max(start, belowFourGiB)
                ranges.append(Range(guestAddress: try Checked.add(Self.fourGiB, pieceStart - belowFourGiB, Self.source("high RAM")),  // bounded: pieceStart >= belowFourGiB
                                    size: end - pieceStart, block: block.name, blockOffset: pieceStart - start,  // bounded: ordered
                                    rule: "RAM above 4 GiB"))
            }
            placed.insert(block.name)
            machineOffset = end
        }
        // The legacy window: 0xa0000-0xbffff is the VGA device's (MMIO) when
        // there is one, else RAM shows through the empty PCI window below the
        // SMRAM alias (measured: QEMU 7.2 dumps 0-32 MiB as one range without
        // VGA); 0xc0000-0xfffff follows PAM.
        let vga = inputs.blocks.contains { $0.name.hasSuffix("vga.vram") || $0.name.hasSuffix("vgavram") }
        ranges = Self.cut(ranges, vga ? 0xa0000 : 0xc0000, 0x100000)
        if belowFourGiB > 0xc0000 {
            let biosSize = sizes["pc.bios"]
            for segment in Self.pamSegments(inputs.pam) {
                guard segment.start < belowFourGiB else { continue }
                let ramBlock = main.first.map(\.name) ?? "pc.ram"
                if segment.ram {
                    if main[0].size >= segment.end {
                        ranges.append(Range(guestAddress: segment.start, size: segment.end - segment.start,  // bounded: constants
                                            block: ramBlock, blockOffset: segment.start, rule: "RAM (PAM)"))
                    }
                } else if segment.start < 0xe0000, let rom = sizes["pc.rom"], rom >= segment.end - 0xc0000 {  // bounded: constants
                    ranges.append(Range(guestAddress: segment.start, size: segment.end - segment.start, block: "pc.rom",  // bounded: constants
                                        blockOffset: segment.start - 0xc0000, rule: "option ROM (PAM: PCI)"))  // bounded: constants
                    placed.insert("pc.rom")
                } else if segment.start >= 0xe0000, let isaBIOS = sizes["isa-bios"], isaBIOS >= 0x20000 {
                    // QEMU before 9.1 with pflash: a RAM copy of the flash's last 128 KiB (measured: QEMU 7.2 dumps it).
                    ranges.append(Range(guestAddress: segment.start, size: segment.end - segment.start, block: "isa-bios",  // bounded: constants
                                        blockOffset: isaBIOS - 0x20000 + (segment.start - 0xe0000), rule: "isa-bios (PAM: PCI)"))  // bounded: isaBIOS >= 0x20000
                    placed.insert("isa-bios")
                } else if segment.start >= 0xe0000, let biosSize, biosSize >= 0x20000 {
                    ranges.append(Range(guestAddress: segment.start, size: segment.end - segment.start, block: "pc.bios",  // bounded: constants
                                        blockOffset: biosSize - 0x20000 + (segment.start - 0xe0000),  // bounded: biosSize >= 0x20000
                                        rule: "isa-bios (PAM: PCI)"))
                }
            }
            if inputs.pam == nil { notes.append("no host-bridge PAM registers in the state: 0xc0000-0xfffff taken as RAM") }
        }
        // The BIOS ROM at the top of 4 GiB.
        if let bios = sizes["pc.bios"], bios > 0, bios <= 16 << 20 {
            ranges.append(Range(guestAddress: Self.fourGiB - bios, size: bios, block: "pc.bios", blockOffset: 0,  // bounded: bios <= 16 MiB
                                rule: "BIOS ROM below 4 GiB"))
            placed.insert("pc.bios")
        }
        for (name, base) in inputs.dimms.sorted(by: { $0.key < $1.key }) {
            guard let size = sizes[name] else { continue }
            ranges.append(Range(guestAddress: base, size: size, block: name, blockOffset: 0, rule: "DIMM base from the domain XML"))
            placed.insert(name)
        }
        if let window = inputs.vgaWindow, let size = sizes[window.block], window.offset < size, window.size <= size - window.offset {  // bounded: offset < size
            ranges.append(Range(guestAddress: window.address, size: window.size, block: window.block, blockOffset: window.offset,
                                rule: "VGA chain-4 window (vga.chain4)"))
        }
        for (name, base) in inputs.barPlacements.sorted(by: { $0.key < $1.key }) {
            guard let size = sizes[name] else { continue }
            ranges.append(Range(guestAddress: base, size: size, block: name, blockOffset: 0, rule: "PCI BAR"))
            placed.insert(name)
        }
        var skipped: [Skipped] = []
        for block in inputs.blocks where !placed.contains(block.name) {
            let reason: String
            if let why = inputs.barNotMapped[block.name] {
                reason = why
            } else if inputs.nonVolatile.contains(block.name) {
                reason = "NVDIMM: non-volatile, QEMU's dump leaves it out"
            } else if block.name.hasPrefix("/rom@") {
                reason = "fw_cfg blob: not in the guest-physical address space"
            } else if block.name == "pc.rom" {
                reason = "option ROM area behind RAM (PAM)"
            } else if block.name.hasPrefix("system.flash") || block.name.hasSuffix("pflash") {
                reason = "flash (a ROM device: QEMU's dump leaves it out; see --nvram)"
            } else if block.name.hasSuffix(".rom") {
                reason = "PCI option ROM: BAR not enabled"
            } else {
                reason = "saveimg does not know where QEMU maps it"
            }
            skipped.append(Skipped(block: block.name, size: block.size, reason: reason))
        }
        self.ranges = try Self.merged(ranges)
        self.skipped = skipped
        self.notes = notes
    }

    /// One PAM segment: 0xc0000-0xeffff in 16 KiB pieces (PAM1..PAM6, low
    /// nibble first), 0xf0000-0xfffff (PAM0's high nibble); RAM when the
    /// read-enable bit is set (modes 1 and 3), else the PCI side (ROMs).
    static func pamSegments(_ pam: [UInt8]?) -> [(start: UInt64, end: UInt64, ram: Bool)] {
        var segments: [(start: UInt64, end: UInt64, ram: Bool)] = []
        for index in 0..<12 {
            let register = 1 + index / 2  // bounded: constants
            let nibble = index % 2 == 0 ? (pam.map { $0.count > register ? $0[register] & 0xf : 3 } ?? 3)
                                        : (pam.map { $0.count > register ? $0[register] >> 4 : 3 } ?? 3)
            let start = 0xc0000 + UInt64(index) * 0x4000  // bounded: constants
            segments.append((start, start + 0x4000, nibble & 1 != 0))  // bounded: constants
        }
        let top = pam.map { $0.isEmpty ? 3 : $0[0] >> 4 } ?? 3
        segments.append((0xf0000, 0x100000, top & 1 != 0))
        return segments
    }

    /// `ranges` without [from, to).
    static func cut(_ ranges: [Range], _ from: UInt64, _ to: UInt64) -> [Range] {
        var out: [Range] = []
        for range in ranges {
            if range.end <= from || range.guestAddress >= to {
                out.append(range)
                continue
            }
            if range.guestAddress < from {
                var left = range
                left.size = from - range.guestAddress  // bounded: guestAddress < from
                out.append(left)
            }
            if range.end > to {
                var right = range
                right.blockOffset = range.blockOffset + (to - range.guestAddress)  // bounded: guestAddress < to < end
                right.size = range.end - to  // bounded: end > to
                right.guestAddress = to
                out.append(right)
            }
        }
        return out
    }

    /// Sorted, checked for overlap, neighbours of one block merged (QEMU's
    /// `guest_phys_blocks_region_add` merges only what continues the same
    /// memory region at the next host address).
    static func merged(_ ranges: [Range]) throws(SaveImageError) -> [Range] {
        let sorted = ranges.filter { $0.size > 0 }.sorted { $0.guestAddress < $1.guestAddress }
        var out: [Range] = []
        for range in sorted {
            _ = try Checked.add(range.guestAddress, range.size, source("range end"))
            if let last = out.last {
                guard last.end <= range.guestAddress else {
                    throw SaveImageError(.editRejected, path: "", field: "guest-physical map",
                                         expected: "ranges that do not overlap",
                                         found: "\(last.block) at \(Hex.number(last.guestAddress)) (+\(Hex.number(last.size))) and \(range.block) at \(Hex.number(range.guestAddress))")
                }
                if last.end == range.guestAddress, last.block == range.block,
                   last.blockOffset + last.size == range.blockOffset {  // bounded: offsets within a block's size
                    out[out.count - 1].size += range.size  // bounded: contiguous pieces of one block
                    if !out[out.count - 1].rule.contains(range.rule) { out[out.count - 1].rule += ", " + range.rule }  // bounded: out is not empty here; string append
                    continue
                }
            }
            out.append(range)
        }
        return out
    }

    /// The range holding guest address `address`, and the offset in it.
    public func locate(_ address: UInt64) -> (range: Range, offset: UInt64)? {
        for range in ranges where address >= range.guestAddress && address < range.end {
            return (range, address - range.guestAddress)  // bounded: address >= guestAddress
        }
        return nil
    }

    private static func source(_ field: String) -> Checked.Source { Checked.Source(path: "", field: "guest-physical map: " + field) }
}
