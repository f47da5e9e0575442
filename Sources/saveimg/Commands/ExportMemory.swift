import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg export-memory IMAGE OUT [--format elf|raw]`: the guest's memory as a core file.
    struct ExportMemory: ParsableCommand, JSONReporting {
        static let configuration = CommandConfiguration(
            commandName: "export-memory",
            abstract: "Write a saved guest's memory as an ELF core (as virsh dump --memory-only) or a raw physical image.",
            discussion: """
                Reads the stream of any format (raw, gzip, bzip2, xz, lzop, zstd, sparse) once and \
                writes OUT: with --format elf (default) an ELF core laid out as QEMU's dump-guest-memory \
                writes it (PT_NOTE, one PT_LOAD per guest-physical range, NT_PRSTATUS and QEMU notes per vCPU \
                from the cpu device state, the guest's VMCOREINFO note); with --format raw a sparse file in \
                which the offset is the guest-physical address. The guest-physical map is rebuilt from the \
                machine type, the saved domain XML and the host bridge's registers; --map prints it. \
                --nvram writes an OVMF guest's UEFI variable store (the flash block) as libvirt's NVRAM file. \
                OUT holds the guest's secrets: it is created 0600, never replaces an existing file, and \
                appears only when complete.

                Examples:
                  saveimg export-memory vm.save vm.core
                  saveimg export-memory vm.save vm.raw --format raw
                  saveimg export-memory vm.save --map
                  saveimg export-memory vm.save --nvram vm_VARS.fd

                Exit status: 0 exported; 1 usage error; 2 the image cannot be exported.
                """)

        @Argument(help: ArgumentHelp("Input image (left out with --managed-save).", valueName: "IN"), completion: .file())
        var input: String?

        @Argument(help: ArgumentHelp("Output file (a new file).", valueName: "OUT"), completion: .file())
        var output: String?

        @OptionGroup var source: ImageSource

        @Option(help: ArgumentHelp("Output format: elf (default) or raw.", valueName: "FORMAT"), completion: .list(["elf", "raw"]))
        var format: String = "elf"

        @Option(help: ArgumentHelp("Also write the UEFI variable store (OVMF's system.flash1 block) to this new file.", valueName: "FILE"), completion: .file())
        var nvram: String?

        @Flag(help: "Print the guest-physical map (and write OUT only when given).")
        var map = false

        @Option(name: .customLong("qemu-note-size"),
                help: ArgumentHelp("Bytes of each QEMU note's QEMUCPUState: 440 (QEMU >= 7.1, default) or 432 (older QEMU, no kernel_gs_base).", valueName: "BYTES"))
        var qemuNoteSize: Int = 440

        @Flag(name: .customLong("no-section-headers"),
              help: "Lay the core out as QEMU 5.2-7.1 did (no section headers and .shstrtab; QEMU >= 7.2 writes them).")
        var noSectionHeaders = false

        @Flag(name: [.short, .long], help: "Show a progress bar on standard error (only when it is a terminal).")
        var progress = false

        @Flag(help: "Print a JSON summary (one line).")
        var json = false

        var reportedFile: String { input ?? "" }

        func validate() throws {
            guard MemoryExportFormat(rawValue: format) != nil else {
                throw ValidationError("--format must be elf or raw (got '\(format)')")
            }
            guard qemuNoteSize == 440 || qemuNoteSize == 432 else { throw ValidationError("--qemu-note-size must be 440 or 432") }
        }

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let (inputArgument, outputArgument) = source.shifted(input, output)
            let input = try source.path(inputArgument)
            guard outputArgument != nil || map || nvram != nil else {
                throw ValidationError("missing OUT (or --map, or --nvram)")
            }
            let request = MemoryExportRequest(output: outputArgument, format: MemoryExportFormat(rawValue: format) ?? .elf,
                                              nvramOutput: nvram, qemuCPUStateSize: qemuNoteSize,
                                              sectionHeaders: !noSectionHeaders)
            let bar = progress ? ProgressBar(label: "export") : nil
            defer { bar?.finish() }
            // Called from the reading thread only (one caller at a time).
            nonisolated(unsafe) let drawing = bar
            let summary = try MemoryExport.run(path: input, request: request) { done, total in
                drawing?.update(done: done, total: total)
            }
            bar?.finish()
            if json {
                try printJSONLine(ExportMemoryReport(file: input, summary: summary))
                return
            }
            if map || outputArgument == nil { print(Self.mapText(summary)) }
            if let output = summary.output {
                let cpus = summary.cpus.isEmpty ? "no registers (\(summary.registersMissing ?? "?"))"
                                                : "\(summary.cpus.count) vCPU(s)"
                print("\(output): \(summary.format ?? "?"), \(summary.map.ranges.count) ranges, \(summary.dataBytes) bytes of data, "
                      + "\(summary.outputBytes ?? 0) bytes; \(cpus)"
                      + (summary.vmcoreinfoBytes.map { "; VMCOREINFO \($0) bytes" } ?? ""))
            }
            if let nvram = summary.nvram { print("\(nvram): UEFI variable store, \(summary.nvramBytes ?? 0) bytes") }
            if let missing = summary.registersMissing, summary.output != nil {
                ErrorExit.report("\(summary.input): warning: registers missing: \(missing)", line: nil)
            }
        }

        static func mapText(_ summary: MemoryExportSummary) -> String {
            let map = summary.map
            var lines = ["\(summary.input): machine \(map.machine) (\(map.chipset)), RAM \(map.ramSize) bytes: "
                + "\(map.belowFourGiB) below 4 GiB, \(map.aboveFourGiB) above"]
            for range in map.ranges {
                lines.append("  0x\(hex(range.guestAddress, 12))-0x\(hex(range.end, 12))  \(range.block) +0x\(String(range.blockOffset, radix: 16))  (\(range.rule))")
            }
            for skipped in map.skipped { lines.append("  not mapped: \(skipped.block) (\(skipped.size) bytes): \(skipped.reason)") }
            for note in map.notes { lines.append("  note: \(note)") }
            for cpu in summary.cpus {
                lines.append("  cpu \(cpu.index): rip 0x\(String(cpu.rip, radix: 16)) rsp 0x\(String(cpu.rsp, radix: 16)) "
                    + "cr3 0x\(String(cpu.cr[3], radix: 16)) \(cpu.longMode ? "long mode" : "not in long mode")")
            }
            if let missing = summary.registersMissing { lines.append("  registers missing: \(missing)") }
            return lines.joined(separator: "\n")
        }

        static func hex(_ value: UInt64, _ width: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
    }
}

/// `export-memory --json`: the summary with the image as `file`.
struct ExportMemoryReport: Encodable {
    var file: String
    var summary: MemoryExportSummary

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(file, forKey: Key("file"))
        try summary.encode(to: encoder)
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
