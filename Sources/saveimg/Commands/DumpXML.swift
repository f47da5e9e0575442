import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg dumpxml FILE`: the stored XML documents, byte for byte.
    struct DumpXML: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dumpxml",
            abstract: "Print the domain XML (or the cookie, an extension, or all documents) as stored.",
            discussion: """
                Like `virsh save-image-dumpxml` (and `virsh managedsave-dumpxml` with --managed-save), \
                but prints the stored bytes without the terminating NUL where virsh re-formats the XML \
                and adds libvirt's defaults. As virsh does, passwords and other secrets (a VNC or SPICE \
                `passwd`, a network disk's HTTP cookies) are left out unless --security-info is given; \
                every other byte is as stored.

                --xpath selects nodes with an XPath 1.0 expression and prints each match as its own \
                document, one per line, or all under one <nodes> element with --wrap, as virsh does.

                Examples:
                  saveimg dumpxml vm.save                 # the domain XML, secrets hidden
                  saveimg dumpxml --security-info vm.save # the domain XML exactly as stored
                  saveimg dumpxml --xpath //graphics vm.save
                  saveimg dumpxml --xpath '//disk/source/@file' --wrap vm.save
                  saveimg dumpxml --managed-save vm       # /var/lib/libvirt/qemu/save/vm.save
                  saveimg dumpxml --cookie vm.save        # libvirt's <cookie>
                  saveimg dumpxml --extension 1 vm.save   # first document after the cookie
                  saveimg dumpxml --all -0 vm.save        # every document, NUL-separated
                """)

        @Argument(help: ArgumentHelp("Save image file.", valueName: "FILE"), completion: .file())
        var file: String?

        @OptionGroup var source: ImageSource

        @Flag(help: "Include passwords and other security-sensitive information.")
        var securityInfo = false

        @Option(help: ArgumentHelp("Print only the nodes this XPath expression selects.", valueName: "EXPR"))
        var xpath: String?

        @Flag(help: "With --xpath, print the matches under one <nodes> element.")
        var wrap = false

        @Flag(help: "Print the cookie (first document of the extension chain).")
        var cookie = false

        @Option(name: .long, help: ArgumentHelp("Print extension N (1 = first document after the cookie).", valueName: "N"))
        var `extension`: Int?

        @Flag(help: "Print every document: domain XML, cookie, extensions.")
        var all = false

        @Flag(name: [.customShort("0"), .long], help: "With --all, separate documents with NUL instead of a newline.")
        var null = false

        func validate() throws {
            let chosen = [cookie, `extension` != nil, all].filter { $0 }.count
            if chosen > 1 { throw ValidationError("choose at most one of --cookie, --extension, --all") }
            if let index = `extension`, index < 1 { throw ValidationError("--extension counts from 1") }
            if null && !all { throw ValidationError("-0/--null separates the documents of --all; add --all") }
            if wrap && xpath == nil { throw ValidationError("--wrap wraps the matches of --xpath; add --xpath EXPR") }
            if xpath != nil && all { throw ValidationError("--xpath selects from one document; drop --all") }
        }

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let file = try source.path(file)
            let image = try source.open(file)
            if all {
                let documents = [try image.domainXML(securityInfo: securityInfo)] + image.region.chain.map(\.bytes)
                for (index, document) in documents.enumerated() {
                    writeToStandardOutput(document)
                    if index < documents.count - 1 || null { writeToStandardOutput([null ? 0 : 0x0a]) }
                }
                return
            }
            let document: [UInt8]
            if cookie {
                guard let stored = image.cookieDocument else {
                    throw CommandFailure(code: .noSuchDocument, path: file,
                                         message: "no cookie (cookieOffset \(image.header.cookieOffset))")
                }
                document = stored.bytes
            } else if let index = `extension` {
                guard index <= image.extensions.count else {
                    throw CommandFailure(code: .noSuchDocument, path: file,
                                         message: "no extension \(index); the image has \(image.extensions.count)")
                }
                document = image.extensions[index - 1].bytes
            } else {
                document = try image.domainXML(securityInfo: securityInfo)
            }
            if let xpath {
                try Self.printMatches(xpath, in: document, wrap: wrap, path: file)
            } else {
                writeToStandardOutput(document)
            }
        }

        /// Prints the nodes `xpath` selects; a bad expression is a usage error (exit 1).
        static func printMatches(_ xpath: String, in document: [UInt8], wrap: Bool, path: String) throws {
            let output: [UInt8]
            do {
                output = try XPathQuery.evaluate(xpath, on: document, wrap: wrap, path: path)
            } catch where error.field == "--xpath" {
                throw ValidationError(error.description)  // a bad expression is a usage error (exit 1)
            }
            writeToStandardOutput(output)
        }
    }
}
