import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg add-cpu-ext FILE --cpu CPU.xml`: the updated CPU into the cookie.
    struct AddCPUExt: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-cpu-ext",
            abstract: "Put the CPU QEMU ran (the updated CPU) into the image's cookie, keeping the domain XML's CPU.",
            discussion: """
                libvirt restores with the cookie's CPU and keeps the domain XML's CPU as the user defined it \
                (the 2017 CPU-regression design). An existing cookie keeps its other children \
                (<slirpHelper/> ...) and the extensions chained after it.

                --from-domain --original-cpu FILE repairs an image whose domain XML holds the updated CPU: \
                that CPU moves into the cookie and FILE's <cpu> (the CPU as defined) goes back into the \
                domain XML.

                A CPU whose model differs from the domain XML's is refused: libvirt would fail the restore \
                with "guest CPU doesn't match specification: extra features: ...". --allow-model-change writes it anyway.

                Examples:
                  saveimg add-cpu-ext vm.save --cpu cpu.xml
                  saveimg add-cpu-ext vm.save --from-domain --original-cpu defined-cpu.xml \\
                      --output fixed.save
                """)

        @Argument(help: ArgumentHelp("Save image file.", valueName: "FILE"), completion: .file())
        var file: String?

        @OptionGroup var source: ImageSource

        @Option(help: ArgumentHelp("The updated <cpu> element ('-' for standard input).", valueName: "FILE"),
                completion: .file())
        var cpu: String?

        @Flag(help: "Take the updated CPU from the domain XML (repair).")
        var fromDomain = false

        @Option(help: ArgumentHelp("With --from-domain: the CPU as defined, put back into the domain XML.",
                                   valueName: "FILE"), completion: .file())
        var originalCPU: String?

        @Flag(name: .customLong("allow-model-change"),
              help: "Write the CPU even when its model differs from the domain XML's (libvirt then refuses the restore), or when --from-domain finds nothing to repair or would drop the cookie CPU's features.")
        var allowModelChange = false

        /// The old spelling, kept hidden for scripts written before the flag had one name per meaning.
        @Flag(name: .customLong("force"), help: .hidden)
        var legacyForce = false

        @OptionGroup var options: EditOptions

        func validate() throws {
            if fromDomain {
                if cpu != nil { throw ValidationError("--cpu and --from-domain exclude each other") }
                if originalCPU == nil { throw ValidationError("--from-domain needs --original-cpu FILE") }
            } else {
                if cpu == nil { throw ValidationError("give --cpu FILE (or --from-domain --original-cpu FILE)") }
                if originalCPU != nil { throw ValidationError("--original-cpu is only for --from-domain") }
            }
        }

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let file = try source.path(file)
            let source = (fromDomain ? originalCPU : cpu) ?? "-"
            let element = try CPUXML.parse(try readInputFile(source), path: source)
            let force = allowModelChange || legacyForce
            if fromDomain {
                try options.run(file) { (image) throws(SaveImageError) in try image.movingDomainCPUToCookie(originalCPU: element, force: force) }
            } else {
                try options.run(file) { (image) throws(SaveImageError) in try image.settingCookieCPU(element, force: force) }
            }
        }
    }
}
