/// The bytes before guest memory in the ELF core QEMU's `dump-guest-memory`
/// writes without paging (QEMU `dump/dump.c`, `target/i386/arch_dump.c`):
/// ELF header, one PT_NOTE, one PT_LOAD per range, the notes; memory follows
/// at ``memoryOffset`` with the ranges back to back.
///
/// - Class and machine as `cpu_get_dump_info`: ELFCLASS64/EM_X86_64 when the
///   first vCPU is in long mode; otherwise EM_386, ELFCLASS32 unless a range
///   ends above 4 GiB.
/// - Notes as `write_elf64_notes`: a `CORE`/NT_PRSTATUS note per vCPU (pid =
///   cpu_index + 1), then a `QEMU` note (QEMUCPUState) per vCPU, then the
///   guest's note (VMCOREINFO) when there is one.
/// - PT_LOAD: p_vaddr = p_paddr (no paging), p_flags and p_align 0.
public struct ELFCoreLayout: Hashable, Sendable {
    /// One PT_LOAD: guest-physical address and size.
    public struct Load: Hashable, Sendable, Codable {
        public var guestAddress: UInt64
        public var size: UInt64
        public init(guestAddress: UInt64, size: UInt64) {
            self.guestAddress = guestAddress
            self.size = size
        }
    }

    /// Size of QEMUCPUState with `kernel_gs_base` (QEMU >= 7.1; 432 before).
    public static let qemuCPUStateSize = 440

    public let is64Bit: Bool
    public let machine: UInt16
    /// Everything before the memory: headers and notes.
    public let prefix: [UInt8]
    /// File offset of the first range's bytes.
    public let memoryOffset: UInt64
    public let loads: [Load]
    /// File offset of each load's bytes.
    public let loadOffsets: [UInt64]
    /// Note names and types, in order (for reports).
    public let notes: [String]
    /// Bytes after the memory: the section name string table (QEMU >= 7.2), or none.
    public let suffix: [UInt8]
    /// The core's size.
    public let size: UInt64

    /// - Parameters:
    ///   - cpus: the vCPUs in cpu_index order (empty: no CPU notes).
    ///   - loads: the ranges, in guest-address order.
    ///   - guestNote: the guest's note, as QEMU copies it out of guest memory.
    ///   - sectionHeaders: write QEMU 7.2's section headers (a NULL one and
    ///     `.shstrtab`, right after the ELF header, the string table after
    ///     the memory); false: the layout of QEMU before 7.2 (no sections).
    public init(cpus: [VCPURegisters], loads: [Load], guestNote: [UInt8]?,
                qemuCPUStateSize: Int = ELFCoreLayout.qemuCPUStateSize, sectionHeaders: Bool = true) throws(SaveImageError) {
        let longMode = cpus.first?.longMode ?? true
        var above4G = false
        for load in loads where try Checked.add(load.guestAddress, load.size, Self.source("PT_LOAD end")) > UInt64(UInt32.max) {
            above4G = true
        }
        is64Bit = longMode || above4G
        machine = longMode ? 62 : 3  // EM_X86_64 : EM_386
        guard loads.count < 0xffff - 2 else {  // bounded: constants
            throw SaveImageError(.tooLarge, path: "", field: "guest-physical map", expected: "fewer than 65533 ranges",
                                 found: "\(loads.count) ranges (QEMU then adds a section header; saveimg does not)")
        }
        var notes = Bytes()
        var names: [String] = []
        for cpu in cpus {
            let pid = cpu.index &+ 1  // bounded: QEMU's cpu_index + 1, wraps only for an impossible index
            notes.note(name: "CORE", type: 1, desc: longMode ? Self.prstatus64(cpu, pid: pid) : Self.prstatus32(cpu, pid: pid))
            names.append("CORE NT_PRSTATUS (cpu \(cpu.index))")
        }
        for cpu in cpus {
            notes.note(name: "QEMU", type: 0, desc: Self.qemuCPUState(cpu, size: qemuCPUStateSize))
            names.append("QEMU (cpu \(cpu.index))")
        }
        if let guestNote {
            notes.bytes += guestNote  // bounded: array append (at most 1 MiB)
            names.append("guest note (VMCOREINFO)")
        }
        self.notes = names
        let headerSize = is64Bit ? 64 : 52
        let phdrSize = is64Bit ? 56 : 32
        let shdrSize = is64Bit ? 64 : 40
        let shnum = sectionHeaders ? 2 : 0
        let phoff = headerSize + shdrSize * shnum  // bounded: constants
        let phnum = loads.count + 1  // bounded: loads.count < 65533 (checked above)
        let noteOffset = UInt64(phoff + phdrSize * phnum)  // bounded: phnum < 65535, constants
        memoryOffset = noteOffset + UInt64(notes.bytes.count)  // bounded: in-memory sizes
        var offsets: [UInt64] = []
        var next = memoryOffset
        for load in loads {
            offsets.append(next)
            next = try Checked.add(next, load.size, Self.source("PT_LOAD offset"))
        }
        loadOffsets = offsets
        self.loads = loads
        let strtab: [UInt8] = sectionHeaders ? Array("\0.shstrtab\0".utf8) : []
        suffix = strtab
        size = try Checked.add(next, UInt64(strtab.count), Self.source("core size"))
        if !is64Bit, size > UInt64(UInt32.max) {
            throw SaveImageError(.tooLarge, path: "", field: "ELF32 core", expected: "a core below 4 GiB (32-bit offsets)",
                                 found: "\(next) bytes")
        }
        var out = Bytes()
        // e_ident
        out.bytes += [0x7f, 0x45, 0x4c, 0x46, is64Bit ? 2 : 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]  // bounded: array append
        out.u16(4)  // ET_CORE
        out.u16(machine)
        out.u32(1)  // EV_CURRENT
        let shoff = sectionHeaders ? UInt64(headerSize) : 0
        if is64Bit {
            out.u64(0)  // e_entry
            out.u64(UInt64(phoff))  // e_phoff
            out.u64(shoff)  // e_shoff
        } else {
            out.u32(0)
            out.u32(UInt32(phoff))  // bounded: constants
            out.u32(UInt32(shoff))  // bounded: constants
        }
        out.u32(0)  // e_flags
        out.u16(UInt16(headerSize))  // bounded: constant 52 or 64
        out.u16(UInt16(phdrSize))  // bounded: constant 32 or 56
        out.u16(UInt16(phnum))  // bounded: phnum < 65535 (checked above)
        out.u16(sectionHeaders ? UInt16(shdrSize) : 0)  // bounded: constants
        out.u16(UInt16(shnum))  // bounded: constants
        out.u16(sectionHeaders ? 1 : 0)  // e_shstrndx
        if sectionHeaders {
            out.bytes += [UInt8](repeating: 0, count: shdrSize)  // bounded: array append (the NULL section)
            // .shstrtab: sh_name 1, SHT_STRTAB, at the end of the memory.
            out.u32(1)
            out.u32(3)
            if is64Bit {
                out.u64(0)  // sh_flags
                out.u64(0)  // sh_addr
                out.u64(next)  // sh_offset
                out.u64(UInt64(strtab.count))  // sh_size
                out.u32(0)
                out.u32(0)
                out.u64(0)
                out.u64(0)
            } else {
                out.u32(0)
                out.u32(0)
                out.u32(UInt32(truncatingIfNeeded: next))
                out.u32(UInt32(strtab.count))  // bounded: 11 bytes
                out.u32(0)
                out.u32(0)
                out.u32(0)
                out.u32(0)
            }
        }
        // PT_NOTE, then the loads
        out.phdr(is64Bit: is64Bit, type: 4, offset: noteOffset, address: 0, size: UInt64(notes.bytes.count))
        for (load, offset) in zip(loads, offsets) {
            out.phdr(is64Bit: is64Bit, type: 1, offset: offset, address: load.guestAddress, size: load.size)
        }
        out.bytes += notes.bytes  // bounded: array append
        prefix = out.bytes
    }

    /// `x86_64_elf_prstatus` (336 bytes): pid at 32, `user_regs_struct` at 112.
    static func prstatus64(_ cpu: VCPURegisters, pid: UInt32) -> [UInt8] {
        var desc = Bytes()
        desc.bytes += [UInt8](repeating: 0, count: 32)  // bounded: array append
        desc.u32(pid)
        desc.bytes += [UInt8](repeating: 0, count: 76)  // bounded: array append
        let r = cpu.regs
        for value in [r[15], r[14], r[13], r[12], r[5], r[3], r[11], r[10], r[9], r[8], r[0], r[1], r[2], r[6], r[7], 0,
                      cpu.rip, UInt64(cpu.cs.selector), cpu.rflags, r[4], UInt64(cpu.ss.selector), cpu.fs.base, cpu.gs.base,
                      UInt64(cpu.ds.selector), UInt64(cpu.es.selector), UInt64(cpu.fs.selector), UInt64(cpu.gs.selector)] {
            desc.u64(value)
        }
        desc.bytes += [UInt8](repeating: 0, count: 8)  // bounded: array append
        return desc.bytes
    }

    /// `x86_elf_prstatus` (144 bytes): the 32-bit registers, for a vCPU not in long mode.
    static func prstatus32(_ cpu: VCPURegisters, pid: UInt32) -> [UInt8] {
        var desc = Bytes()
        desc.bytes += [UInt8](repeating: 0, count: 24)  // bounded: array append
        desc.u32(pid)
        desc.bytes += [UInt8](repeating: 0, count: 44)  // bounded: array append
        let r = cpu.regs.map { UInt32(truncatingIfNeeded: $0) }
        for value in [r[3], r[1], r[2], r[6], r[7], r[5], r[0]] { desc.u32(value) }  // ebx ecx edx esi edi ebp eax
        for segment in [cpu.ds, cpu.es, cpu.fs, cpu.gs] {
            desc.u16(UInt16(truncatingIfNeeded: segment.selector))
            desc.u16(0)
        }
        desc.u32(0)  // orig_eax
        desc.u32(UInt32(truncatingIfNeeded: cpu.rip))
        desc.u16(UInt16(truncatingIfNeeded: cpu.cs.selector))
        desc.u16(0)
        desc.u32(UInt32(truncatingIfNeeded: cpu.rflags))
        desc.u32(r[4])
        desc.u16(UInt16(truncatingIfNeeded: cpu.ss.selector))
        desc.u16(0)
        desc.bytes += [0, 0, 0, 0]  // bounded: array append
        return desc.bytes
    }

    /// QEMUCPUState version 1: registers, 10 segments, cr[5], kernel_gs_base (when `size` has room).
    static func qemuCPUState(_ cpu: VCPURegisters, size: Int) -> [UInt8] {
        var desc = Bytes()
        desc.u32(1)
        desc.u32(UInt32(truncatingIfNeeded: size))
        let r = cpu.regs
        for value in [r[0], r[3], r[1], r[2], r[6], r[7], r[4], r[5]] + Array(r[8...]) + [cpu.rip, cpu.rflags] {  // bounded: array concatenation
            desc.u64(value)
        }
        for segment in [cpu.cs, cpu.ds, cpu.es, cpu.fs, cpu.gs, cpu.ss, cpu.ldt, cpu.tr, cpu.gdt, cpu.idt] {
            desc.u32(segment.selector)
            desc.u32(segment.limit)
            desc.u32(segment.flags)
            desc.u32(0)
            desc.u64(segment.base)
        }
        for value in cpu.cr { desc.u64(value) }
        if size >= desc.bytes.count + 8 { desc.u64(cpu.kernelGSBase) }  // bounded: in-memory sizes
        if desc.bytes.count < size { desc.bytes += [UInt8](repeating: 0, count: size - desc.bytes.count) }  // bounded: checked just before
        return desc.bytes
    }

    /// The size QEMU gives a guest note that begins with `header` (namesz,
    /// descsz, type; ELF_NOTE_SIZE), or nil when it is not a plausible note
    /// of at most `limit` bytes (QEMU: MAX_GUEST_NOTE_SIZE, 1 MiB).
    public static func guestNoteSize(_ header: [UInt8], limit: UInt64) -> UInt64? {
        guard header.count >= 12 else { return nil }
        func word(_ at: Int) -> UInt64 { UInt64(Endianness.little.integer(UInt32.self, in: header, at: at) ?? 0) }
        let name = word(0), desc = word(4)
        guard name <= 1 << 20, desc <= 1 << 20 else { return nil }
        let size = 12 + (name + 3) / 4 * 4 + (desc + 3) / 4 * 4  // bounded: each term below 2^21
        return size <= limit ? size : nil
    }

    private static func source(_ field: String) -> Checked.Source { Checked.Source(path: "", field: field) }
}

/// Little-endian byte building for the core's headers and notes.
struct Bytes {
    var bytes: [UInt8] = []

    mutating func u16(_ value: UInt16) { bytes += [UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8)] }  // bounded: array append
    mutating func u32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) } }
    mutating func u64(_ value: UInt64) { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) } }

    /// An ELF note: namesz (with the NUL), descsz, type, name and desc each padded to 4 bytes.
    mutating func note(name: String, type: UInt32, desc: [UInt8]) {
        let nameBytes = Array(name.utf8) + [0]  // bounded: array concatenation
        u32(UInt32(truncatingIfNeeded: nameBytes.count))
        u32(UInt32(truncatingIfNeeded: desc.count))
        u32(type)
        bytes += nameBytes + [UInt8](repeating: 0, count: (4 - nameBytes.count % 4) % 4)  // bounded: in-memory sizes
        bytes += desc + [UInt8](repeating: 0, count: (4 - desc.count % 4) % 4)  // bounded: in-memory sizes
    }

    mutating func phdr(is64Bit: Bool, type: UInt32, offset: UInt64, address: UInt64, size: UInt64) {
        if is64Bit {
            u32(type)
            u32(0)  // p_flags
            u64(offset)
            u64(address)  // p_vaddr
            u64(address)  // p_paddr
            u64(size)
            u64(size)
            u64(0)  // p_align
        } else {
            u32(type)
            u32(UInt32(truncatingIfNeeded: offset))
            u32(UInt32(truncatingIfNeeded: address))
            u32(UInt32(truncatingIfNeeded: address))
            u32(UInt32(truncatingIfNeeded: size))
            u32(UInt32(truncatingIfNeeded: size))
            u32(0)
            u32(0)
        }
    }
}
