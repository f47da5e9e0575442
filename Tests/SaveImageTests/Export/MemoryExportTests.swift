import Foundation
import Testing
@testable import SaveImage

/// `MemoryExport` on real images: the core's layout (QEMU's, checked byte for
/// byte against `virsh dump --memory-only` on the labs by
/// scripts/lab/export-memory-check.sh), the raw image, the files' safety.
@Suite("Export: memory export of real images")
struct MemoryExportTests {
    static func le<T: FixedWidthInteger>(_ bytes: [UInt8], _ at: Int, _: T.Type) -> T {
        (0..<MemoryLayout<T>.size).reduce(T(0)) { $0 | T(bytes[at + $1]) << (8 * $1) }
    }

    /// PT_LOADs (paddr, size, offset) and notes (name, type, desc) of an ELF64 core.
    static func parse(_ core: [UInt8]) -> (loads: [(UInt64, UInt64, UInt64)], notes: [(String, UInt32, [UInt8])]) {
        let phoff = Int(le(core, 32, UInt64.self)), phnum = Int(le(core, 56, UInt16.self))
        var loads: [(UInt64, UInt64, UInt64)] = []
        var notes: [(String, UInt32, [UInt8])] = []
        for index in 0..<phnum {
            let at = phoff + 56 * index
            let type = le(core, at, UInt32.self), offset = le(core, at + 8, UInt64.self)
            let paddr = le(core, at + 24, UInt64.self), size = le(core, at + 32, UInt64.self)
            if type == 1 { loads.append((paddr, size, offset)) }
            if type == 4 {
                var cursor = Int(offset)
                while cursor < Int(offset + size) {
                    let namesz = Int(le(core, cursor, UInt32.self)), descsz = Int(le(core, cursor + 4, UInt32.self))
                    let ntype = le(core, cursor + 8, UInt32.self)
                    let name = String(decoding: core[(cursor + 12)..<(cursor + 12 + namesz - 1)], as: UTF8.self)
                    let desc = cursor + 12 + (namesz + 3) / 4 * 4
                    notes.append((name, ntype, Array(core[desc..<(desc + descsz)])))
                    cursor = desc + (descsz + 3) / 4 * 4
                }
            }
        }
        return (loads, notes)
    }

    @Test("ELF core of a libvirt 9.0 save: QEMU's layout, registers from the cpu section, 0600")
    func elfCore() throws {
        let directory = try TemporaryDirectory()
        let output = directory.path + "/guest.core"
        let summary = try MemoryExport.run(path: Fixtures.path("qemu64-raw-running.sav"), request: .init(output: output))
        let core = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
        #expect(Array(core[0..<7]) == [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1])
        #expect(Self.le(core, 16, UInt16.self) == 4 && Self.le(core, 18, UInt16.self) == 3)  // ET_CORE, EM_386 (real mode)
        #expect(Self.le(core, 60, UInt16.self) == 2 && Self.le(core, 62, UInt16.self) == 1)  // NULL + .shstrtab
        #expect(Array(core.suffix(11)) == Array("\0.shstrtab\0".utf8))
        let (loads, notes) = Self.parse(core)
        #expect(loads.map { [$0.0, $0.1] } == [[0, 0x200_0000], [0xfffc_0000, 0x4_0000]])
        #expect(notes.map { "\($0.0) \($0.1) \($0.2.count)" } == ["CORE 1 144", "QEMU 0 440"])
        let cpu = try #require(summary.cpus.first)
        #expect(summary.cpus.count == 1 && cpu.rip == 0xb7b9 && !cpu.longMode)
        #expect(Self.le(notes[0].2, 24, UInt32.self) == 1)  // pid = cpu_index + 1
        #expect(UInt64(Self.le(notes[0].2, 120, UInt32.self)) == cpu.rip)  // x86_elf_prstatus eip
        #expect(Self.le(notes[1].2, 4, UInt32.self) == 440 && Self.le(notes[1].2, 136, UInt64.self) == cpu.rip)
        // The BIOS's reset vector (far jump, 0xea) sits 16 bytes below 4 GiB.
        let bios = loads[1]
        #expect(core[Int(bios.2 + bios.1 - 16)] == 0xea)
        let status = try #require(FileStatus(ofLink: output))
        #expect(status.mode & 0o777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["guest.core"])
    }

    @Test("raw image: each range at its guest-physical address, zero pages as holes, the PCI hole empty")
    func rawImage() throws {
        let directory = try TemporaryDirectory()
        let core = directory.path + "/guest.core", raw = directory.path + "/guest.raw"
        _ = try MemoryExport.run(path: Fixtures.path("qemu64-gzip.sav"), request: .init(output: core))
        let summary = try MemoryExport.run(path: Fixtures.path("qemu64-gzip.sav"), request: .init(output: raw, format: .raw))
        #expect(summary.outputBytes == 1 << 32)
        let elf = [UInt8](try Data(contentsOf: URL(fileURLWithPath: core)))
        let file = try PositionalFile(openingForReading: raw)
        for (paddr, size, offset) in Self.parse(elf).loads {
            let bytes = try file.read(at: paddr, count: Int(size))
            #expect(bytes == Array(elf[Int(offset)..<Int(offset + size)]), "range 0x\(String(paddr, radix: 16))")
        }
        #expect(try file.read(at: 0x8000_0000, count: 4096) == [UInt8](repeating: 0, count: 4096))
        var status = stat()
        #expect(stat(raw, &status) == 0 && UInt64(status.st_blocks) * 512 < 8 << 20)  // sparse: a few MiB of 4 GiB
    }

    @Test("every stream format exports the same map and notes (xz, gzip of libvirt 9.0; zstd of 11.3; raw of 7.0)")
    func formats() throws {
        let directory = try TemporaryDirectory()
        for (index, path) in [Fixtures.path("qemu64-xz.sav"), Fixtures.path("qemu64-gzip.sav"),
                              Fixtures.testdata + "/libvirt-11.3/qemu64-zstd.sav", Fixtures.testdata + "/libvirt-7.0/qemu64-raw.sav"].enumerated() {
            let output = directory.path + "/\(index).core"
            let summary = try MemoryExport.run(path: path, request: .init(output: output))
            #expect(summary.map.ranges.map(\.guestAddress) == [0, 0xfffc_0000], "\(path)")
            #expect(summary.cpus.count == 1 && summary.notes.count == 2, "\(path)")
        }
    }

    @Test("an existing output is never replaced, and nothing is left behind")
    func refusesExisting() throws {
        let directory = try TemporaryDirectory()
        let output = try directory.write("taken", [1, 2, 3])
        do {
            _ = try MemoryExport.run(path: Fixtures.path("qemu64-raw-running.sav"), request: .init(output: output))
            Issue.record("no error")
        } catch {
            #expect(error.code == .editRejected && error.path == output)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)) == Data([1, 2, 3]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["taken"])
    }

    @Test("without the VM description the RAM is exported and the registers are said to be missing")
    func noDescription() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav") { bytes in
            // Cut the stream after QEMU_VM_EOF: drop 0x06, the length and the JSON.
            let marker = Array("{\"page_size\"".utf8)
            let start = try #require((0..<(bytes.count - marker.count)).last { Array(bytes[$0..<($0 + marker.count)]) == marker })
            bytes.removeSubrange((start - 5)...)
        }
        let directory = try TemporaryDirectory()
        let summary = try MemoryExport.run(path: image.path, request: .init(output: directory.path + "/core"))
        #expect(summary.cpus.isEmpty && summary.registersMissing?.contains("VM description") == true)
        #expect(summary.map.ranges.count == 2 && summary.notes.isEmpty)
    }

    @Test("the scratch store reads back what it was given (the VMCOREINFO note is read from it), and leaves no file")
    func storeReadsBack() throws {
        let directory = try TemporaryDirectory()
        let store = try RAMBlockStore(directory: directory.path, name: "t",
                                      blocks: [.init(name: "a", size: 8192), .init(name: "b", size: 8192)])
        let page = [UInt8](repeating: 0x5a, count: 4096)
        try StreamCursor.withBytes(of: page, 0..<4096) { (raw) throws(SaveImageError) in
            try store.page(block: 1, address: 4096, content: raw)
        }
        #expect(try store.read(block: 1, offset: 4090, count: 12) == [0, 0, 0, 0, 0, 0] + [UInt8](repeating: 0x5a, count: 6))
        #expect(try store.read(block: 0, offset: 0, count: 4) == [0, 0, 0, 0])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test("walker: 7e + section id + 00 inside device state is not QEMU_VM_EOF (QEMU 11.1's timer state)")
    func falseEndOfStream() throws {
        func section(_ type: UInt8, _ id: UInt32, _ name: String, _ data: [UInt8]) -> [UInt8] {
            [type] + be(id) + [UInt8(name.utf8.count)] + Array(name.utf8) + be(0) + be(2) + data + [0x7e] + be(id)
        }
        func be(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        // The timer state of a QEMU 11.1 save: 00000001 dbb9107e 00000000 00000000 00000000 b73e28ef.
        let timer: [UInt8] = [0, 0, 0, 1, 0xdb, 0xb9, 0x10, 0x7e, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xb7, 0x3e, 0x28, 0xef]
        let json = Array("{\"page_size\": 4096, \"devices\": []}".utf8)
        let stream = Array("QEVM".utf8) + be(3) + section(0x04, 0, "timer", timer) + section(0x04, 1, "cpu_common", [0, 0, 0, 0])
            + [0x00, 0x06] + be(UInt32(json.count)) + json
        let walk = try StreamWalk(rawStream: stream)
        #expect(walk.failure == nil)
        #expect(walk.summary.sections.map(\.name) == ["timer", "cpu_common"] && walk.trailingBytes == 0)
        #expect(walk.summary.description != nil)
    }
}
