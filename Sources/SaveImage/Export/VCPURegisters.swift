/// A vCPU's registers as a `cpu` section of the device state holds them
/// (QEMU `target/i386/machine.c`, vmstate `cpu`: `env.regs`, `env.eip`,
/// `env.eflags`, `env.hflags`, `env.segs`, `env.ldt`, `env.tr`, `env.gdt`,
/// `env.idt`, `env.cr[0..4]`, `env.kernelgsbase`), found through the VM
/// description so that every QEMU version's layout is read by its own account.
public struct VCPURegisters: Hashable, Sendable, Codable {
    /// A segment register: QEMU's `SegmentCache`.
    public struct Segment: Hashable, Sendable, Codable {
        public var selector: UInt32
        public var base: UInt64
        public var limit: UInt32
        public var flags: UInt32
    }

    /// The section's instance id: QEMU's cpu_index.
    public var index: UInt32
    /// rax rcx rdx rbx rsp rbp rsi rdi r8..r15 (QEMU's `regs[]` order).
    public var regs: [UInt64]
    public var rip: UInt64
    public var rflags: UInt64
    public var hflags: UInt64
    /// es cs ss ds fs gs (QEMU's `segs[]` order: R_ES .. R_GS).
    public var segments: [Segment]
    public var ldt: Segment
    public var tr: Segment
    public var gdt: Segment
    public var idt: Segment
    /// cr0 .. cr4 (cr1 is not migrated: 0).
    public var cr: [UInt64]
    public var kernelGSBase: UInt64

    /// HF_LMA_MASK (`target/i386/cpu.h`: HF_LMA_SHIFT 14): the vCPU is in long mode.
    public var longMode: Bool { hflags & (1 << 14) != 0 }

    /// Reads the registers from `state`, the data of the `cpu` section
    /// `device` describes. Throws when a register the dump needs is missing.
    public init(device: VMStateDevice, state: [UInt8]) throws(SaveImageError) {
        func value(_ path: [VMStatePathStep]) throws(SaveImageError) -> UInt64 {
            guard let found = try device.unsigned(path, in: state) else {
                throw SaveImageError(.badStream, path: "", field: "cpu \(device.instanceID) state",
                                     expected: "field \(path.map(\.name).joined(separator: ".")) in the VM description",
                                     found: "none")
            }
            return found
        }
        func segment(_ name: String, element: UInt64 = 0) throws(SaveImageError) -> Segment {
            let step = VMStatePathStep(name, element: element)
            return Segment(selector: UInt32(truncatingIfNeeded: try value([step, .init("selector")])),
                           base: try value([step, .init("base")]),
                           limit: UInt32(truncatingIfNeeded: try value([step, .init("limit")])),
                           flags: UInt32(truncatingIfNeeded: try value([step, .init("flags")])))
        }
        index = device.instanceID
        var regs: [UInt64] = []
        for register in 0..<16 { regs.append(try value([.init("env.regs", element: UInt64(register))])) }
        self.regs = regs
        rip = try value([.init("env.eip")])
        rflags = try value([.init("env.eflags")])
        hflags = try value([.init("env.hflags")])
        var segments: [Segment] = []
        for register in 0..<6 { segments.append(try segment("env.segs", element: UInt64(register))) }
        self.segments = segments
        ldt = try segment("env.ldt")
        tr = try segment("env.tr")
        gdt = try segment("env.gdt")
        idt = try segment("env.idt")
        cr = [try value([.init("env.cr[0]")]), 0, try value([.init("env.cr[2]")]),
              try value([.init("env.cr[3]")]), try value([.init("env.cr[4]")])]
        kernelGSBase = try device.unsigned([.init("env.kernelgsbase")], in: state) ?? 0
    }

    /// Named register for tables: rax rbx rcx rdx rsi rdi rsp rbp r8..r15.
    public var rax: UInt64 { regs[0] }
    public var rcx: UInt64 { regs[1] }
    public var rdx: UInt64 { regs[2] }
    public var rbx: UInt64 { regs[3] }
    public var rsp: UInt64 { regs[4] }
    public var rbp: UInt64 { regs[5] }
    public var rsi: UInt64 { regs[6] }
    public var rdi: UInt64 { regs[7] }
    public var es: Segment { segments[0] }
    public var cs: Segment { segments[1] }
    public var ss: Segment { segments[2] }
    public var ds: Segment { segments[3] }
    public var fs: Segment { segments[4] }
    public var gs: Segment { segments[5] }
}
