import Testing
@testable import SaveImage

/// The guest-physical map's rules (QEMU `hw/i386/pc_piix.c`, `pc_q35.c`,
/// `hw/pci-host/pam.c`, `hw/core/numa.c`), on the block lists real saves carry.
@Suite("Export: guest-physical map")
struct GuestPhysicalMapTests {
    static let MiB: UInt64 = 1 << 20
    static let GiB: UInt64 = 1 << 30

    static func inputs(_ machine: String, _ blocks: [(String, UInt64)]) -> GuestPhysicalMap.Inputs {
        GuestPhysicalMap.Inputs(machine: machine, blocks: blocks.map { .init(name: $0.0, size: $0.1) })
    }

    static func summary(_ map: GuestPhysicalMap) -> [String] {
        map.ranges.map { "\(String($0.guestAddress, radix: 16))+\(String($0.size, radix: 16)) \($0.block)@\(String($0.blockOffset, radix: 16))" }
    }

    @Test("small i440fx guest without VGA: RAM shows through 0xa0000 (QEMU 5.2-11.1 dump 0-32 MiB as one range), BIOS below 4 GiB")
    func smallI440fx() throws {
        let map = try GuestPhysicalMap(Self.inputs("pc-i440fx-7.2", [("pc.ram", 32 * Self.MiB), ("pc.bios", 256 << 10), ("pc.rom", 128 << 10)]))
        #expect(Self.summary(map) == ["0+2000000 pc.ram@0", "fffc0000+40000 pc.bios@0"])
        #expect(map.belowFourGiB == 32 * Self.MiB && map.aboveFourGiB == 0)
        #expect(map.skipped.map(\.block) == ["pc.rom"])
    }

    @Test("a VGA device takes 0xa0000-0xbffff")
    func vgaWindow() throws {
        var inputs = Self.inputs("pc", [("pc.ram", 64 * Self.MiB), ("0000:00:02.0/vga.vram", 16 * Self.MiB)])
        inputs.barPlacements["0000:00:02.0/vga.vram"] = 0xfd00_0000
        let map = try GuestPhysicalMap(inputs)
        #expect(Self.summary(map) == ["0+a0000 pc.ram@0", "c0000+3f40000 pc.ram@c0000", "fd000000+1000000 0000:00:02.0/vga.vram@0"])
    }

    @Test("i440fx splits at 3 GiB from 3.5 GiB of RAM, keeps all below before")
    func i440fxSplit() throws {
        let big = try GuestPhysicalMap(Self.inputs("pc-i440fx-9.2", [("pc.ram", 4 * Self.GiB)]))
        #expect(big.belowFourGiB == 3 * Self.GiB && big.aboveFourGiB == Self.GiB)
        #expect(Self.summary(big) == ["0+c0000000 pc.ram@0", "100000000+40000000 pc.ram@c0000000"])
        let edge = try GuestPhysicalMap(Self.inputs("pc", [("pc.ram", 0xe000_0000)]))
        #expect(edge.belowFourGiB == 3 * Self.GiB)
        let below = try GuestPhysicalMap(Self.inputs("pc", [("pc.ram", 0xdff0_0000)]))
        #expect(below.belowFourGiB == 0xdff0_0000 && below.aboveFourGiB == 0)
    }

    @Test("q35 splits at 2 GiB from 2.75 GiB of RAM")
    func q35Split() throws {
        let big = try GuestPhysicalMap(Self.inputs("pc-q35-11.1", [("pc.ram", 4 * Self.GiB)]))
        #expect(big.chipset == "q35" && big.belowFourGiB == 2 * Self.GiB && big.aboveFourGiB == 2 * Self.GiB)
        let small = try GuestPhysicalMap(Self.inputs("q35", [("pc.ram", 0xaff0_0000)]))
        #expect(small.belowFourGiB == 0xaff0_0000)
    }

    @Test("NUMA nodes are concatenated in node order before the split; a node straddling it is cut in two")
    func numa() throws {
        // Stream order is not node order: ram-node1 first.
        let map = try GuestPhysicalMap(Self.inputs("pc", [("ram-node1", 1920 * Self.MiB), ("ram-node0", 1920 * Self.MiB),
                                                         ("memdimm0", 512 * Self.MiB)]))
        #expect(map.ramSize == 3840 * Self.MiB && map.belowFourGiB == 3 * Self.GiB)
        #expect(Self.summary(map) == ["0+78000000 ram-node0@0", "78000000+48000000 ram-node1@0",
                                      "100000000+30000000 ram-node1@48000000"])
        #expect(map.skipped.map(\.block) == ["memdimm0"])
    }

    @Test("DIMMs at the base the domain XML records; NVDIMMs left out")
    func dimms() throws {
        var inputs = Self.inputs("pc-q35-7.2", [("pc.ram", Self.GiB), ("memdimm0", 512 * Self.MiB), ("memnvdimm1", 256 * Self.MiB)])
        inputs.dimms["memdimm0"] = 0x1_0000_0000
        inputs.nonVolatile.insert("memnvdimm1")
        let map = try GuestPhysicalMap(inputs)
        #expect(map.ranges.last?.block == "memdimm0" && map.ranges.last?.guestAddress == 0x1_0000_0000)
        #expect(map.skipped.first?.reason.contains("non-volatile") == true)
    }

    @Test("PAM: a segment left to PCI shows pc.rom or the isa-bios end of pc.bios, splitting the RAM range")
    func pam() throws {
        var inputs = Self.inputs("pc", [("pc.ram", 32 * Self.MiB), ("pc.bios", 256 << 10), ("pc.rom", 128 << 10)])
        // PAM0 high nibble 0 (0xf0000 from PCI), PAM1 low nibble 0 (0xc0000-0xc3fff from PCI), the rest RAM (3).
        inputs.pam = [0x00, 0x30, 0x33, 0x33, 0x33, 0x33, 0x33]
        let map = try GuestPhysicalMap(inputs)
        #expect(Self.summary(map) == ["0+c0000 pc.ram@0", "c0000+4000 pc.rom@0", "c4000+2c000 pc.ram@c4000",
                                      "f0000+10000 pc.bios@30000", "100000+1f00000 pc.ram@100000", "fffc0000+40000 pc.bios@0"])
    }

    @Test("OVMF on q35, as QEMU 7.2 and 11.1 dump it: pc.rom at 0xc0000 and isa-bios (7.2's RAM copy) at 0xe0000 where PAM says PCI, VBE's window at 0xa0000, VRAM at its BAR")
    func ovmfQ35() throws {
        var inputs = Self.inputs("pc-q35-7.2", [("pc.ram", 4 * Self.GiB), ("pc.rom", 128 << 10), ("isa-bios", 128 << 10),
                                                ("system.flash0", 3_653_632), ("system.flash1", 540_672),
                                                ("0000:00:01.0/vga.vram", 16 * Self.MiB)])
        // PAM registers of the 7.2 save: 0xc0000-0xc3fff RAM, 0xc4000-0xfffff PCI.
        inputs.pam = [0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00]
        inputs.barPlacements["0000:00:01.0/vga.vram"] = 0xc000_0000
        inputs.vgaWindow = (0xa0000, 0x10000, "0000:00:01.0/vga.vram", 0)
        let map = try GuestPhysicalMap(inputs)
        #expect(map.ranges.map { [$0.guestAddress, $0.size] } == [[0, 0xa0000], [0xa0000, 0x10000], [0xc0000, 0x4000], [0xc4000, 0x1c000],
                                                                   [0xe0000, 0x20000], [0x10_0000, 0x7ff0_0000], [0xc000_0000, 0x100_0000],
                                                                   [0x1_0000_0000, 0x8000_0000]])
        #expect(map.skipped.map(\.block) == ["system.flash0", "system.flash1"])
    }

    @Test("an unknown machine or no guest RAM is an error naming what was found")
    func errors() {
        #expect(throws: SaveImageError.self) { try GuestPhysicalMap(Self.inputs("virt-9.0", [("pc.ram", Self.GiB)])) }
        do {
            _ = try GuestPhysicalMap(Self.inputs("pc", [("pc.bios", 256 << 10)]))
            Issue.record("no error")
        } catch {
            #expect(error.found == "pc.bios" && error.field == "RAM blocks")
        }
    }

    @Test("overlapping placements are refused")
    func overlap() {
        var inputs = Self.inputs("pc", [("pc.ram", Self.GiB), ("memdimm0", Self.GiB)])
        inputs.dimms["memdimm0"] = 0x1000_0000
        #expect(throws: SaveImageError.self) { try GuestPhysicalMap(inputs) }
    }
}
