import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg define FILE NEW.xml [--running|--paused]`: replace the domain XML.
    struct Define: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace the domain XML, refusing guest-ABI changes as libvirt does.",
            discussion: """
                Like `virsh save-image-define`, but keeps the extensions chained after the cookie (libvirt \
                drops them) and grows the data region when the XML no longer fits (libvirt refuses: \
                "new xml too large to fit in file"). Changes to memory, vCPUs, OS type, architecture, \
                machine, the CPU or the number of devices of a kind are refused with libvirt's message \
                (e.g. "Target domain max memory 65536 does not match source 32768"); --allow-abi-change writes them \
                anyway (libvirt's restore will then fail).

                Secrets that `dumpxml` hides (a VNC or SPICE password, a network disk's HTTP cookies) \
                are kept as stored when the new XML does not set them: a password survives a round trip \
                through `saveimg dumpxml`, your editor and `saveimg define`, and the output says which \
                secrets were kept. --drop-secrets writes the new XML as \
                given (a stored password it does not set is removed, as `virsh save-image-define` does). --running or --paused also sets \
                whether the guest resumes after restore, in the same write (as \
                `virsh save-image-define --running/--paused`).

                When the new XML fits in the data region, FILE is rewritten in place (the stream is not \
                touched; a journal beside FILE and libvirt's "incomplete" magic make it crash-safe). When it \
                does not fit, a new file is written and renamed over FILE (the stream is copied, holes kept).

                Examples:
                  saveimg dumpxml vm.save > vm.xml
                  $EDITOR vm.xml
                  saveimg define vm.save vm.xml
                  saveimg define vm.save vm.xml --paused
                  saveimg define --managed-save vm vm.xml
                """)

        @Argument(help: ArgumentHelp("Save image file (left out with --managed-save).", valueName: "FILE"), completion: .file())
        var file: String?

        @Argument(help: ArgumentHelp("The new domain XML ('-' for standard input).", valueName: "XML"), completion: .file())
        var xml: String?

        @OptionGroup var source: ImageSource

        @Flag(name: .customLong("allow-abi-change"),
              help: "Write a domain XML that changes the guest ABI (libvirt's restore will then fail).")
        var allowABIChange = false

        /// The old spelling, kept hidden for scripts written before the flag had one name per meaning.
        @Flag(name: .customLong("force"), help: .hidden)
        var legacyForce = false

        @Flag(help: "Do not keep stored secrets (passwords) that the new XML does not set.")
        var dropSecrets = false

        @Flag(exclusivity: .exclusive, help: "--running: resume after restore; --paused: stay paused (default: unchanged).")
        var state: SetState.GuestState?

        @OptionGroup var options: EditOptions

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            // With --managed-save the one positional argument is the XML.
            let (fileArgument, xmlArgument) = source.shifted(file, xml)
            guard let xml = xmlArgument else { throw ValidationError("missing the new domain XML (NEW.xml or '-')") }
            let file = try source.path(fileArgument)
            let bytes = try readInputFile(xml)
            let force = allowABIChange || legacyForce
            let running = state.map { $0 == .running }
            let keep = !dropSecrets
            var secrets: DomainSecrets.Kept?
            try options.run(file, secrets: { secrets }) { (image) throws(SaveImageError) in
                let kept = DomainSecrets.keeping(keep ? image.domainSecrets : [], in: bytes)
                secrets = kept
                var content = try image.replacingDomainXML(kept.bytes, force: force, sourceName: xml)
                if let running { content.wasRunning = running ? 1 : 0 }
                return content
            }
        }
    }
}
