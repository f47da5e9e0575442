import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg define FILE NEW.xml`: replace the domain XML.
    struct Define: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the domain XML, refusing guest-ABI changes as libvirt does.",
            discussion: """
                Like `virsh save-image-define`, but keeps the extensions chained after the cookie (libvirt \
                drops them) and grows the data region when the XML no longer fits (libvirt refuses: \
                "new xml too large to fit in file"). Changes to memory, vCPUs, OS type, architecture, \
                machine, the CPU or the number of devices of a kind are refused with libvirt's message \
                (e.g. "Target domain max memory 65536 does not match source 32768"); --force writes them \
                anyway (libvirt's restore will then fail).

                When the new XML fits in the data region, FILE is rewritten in place (the stream is not \
                touched; a journal beside FILE and libvirt's "incomplete" magic make it crash-safe). When it \
                does not fit, a new file is written and renamed over FILE (the stream is copied, holes kept).

                Examples:
                  saveimg dumpxml vm.save > vm.xml; $EDITOR vm.xml; saveimg define vm.save vm.xml
                """)

        @Argument(help: "Save image file.", completion: .file())
        var file: String

        @Argument(help: "The new domain XML ('-' for standard input).", completion: .file())
        var xml: String

        @Flag(help: "Write an ABI-incompatible domain XML.")
        var force = false

        @OptionGroup var options: EditOptions

        func run() throws {
            let bytes = try readInputFile(xml)
            let force = force
            let xml = xml
            try options.run(file) { try $0.replacingDomainXML(bytes, force: force, sourceName: xml) }
        }
    }
}
