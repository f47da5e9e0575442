import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg dumpxml FILE`: the stored XML documents, byte for byte.
    struct DumpXML: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dumpxml",
            abstract: "Print the domain XML (or the cookie, an extension, or all documents) exactly as stored.",
            discussion: """
                Unlike `virsh save-image-dumpxml`, which re-formats the XML, this prints the stored \
                bytes without the terminating NUL.

                Examples:
                  saveimg dumpxml vm.save                 # the domain XML
                  saveimg dumpxml --cookie vm.save        # libvirt's <cookie>
                  saveimg dumpxml --extension 1 vm.save   # first document chained after the cookie
                  saveimg dumpxml --all -0 vm.save        # every document, NUL-separated
                """)

        @Argument(help: "Save image file.", completion: .file())
        var file: String

        @Flag(help: "Print the cookie (first document of the extension chain).")
        var cookie = false

        @Option(name: .long, help: "Print extension N (1 = first document after the cookie).")
        var `extension`: Int?

        @Flag(help: "Print every document: domain XML, cookie, extensions.")
        var all = false

        @Flag(name: [.customShort("0"), .long], help: "With --all, separate documents with NUL instead of a newline.")
        var null = false

        func validate() throws {
            let chosen = [cookie, `extension` != nil, all].filter { $0 }.count
            if chosen > 1 { throw ValidationError("choose at most one of --cookie, --extension, --all") }
            if let index = `extension`, index < 1 { throw ValidationError("--extension counts from 1") }
        }

        func run() throws {
            let image = try SaveImage(contentsOf: file)
            if all {
                let documents = [image.region.domainXML] + image.region.chain
                for (index, document) in documents.enumerated() {
                    writeToStandardOutput(document.bytes)
                    if index < documents.count - 1 || null { writeToStandardOutput([null ? 0 : 0x0a]) }
                }
            } else if cookie {
                guard let document = image.cookieDocument else {
                    throw CommandFailure(code: .noSuchDocument, path: file,
                                         message: "no cookie (cookieOffset \(image.header.cookieOffset))")
                }
                writeToStandardOutput(document.bytes)
            } else if let index = `extension` {
                guard index <= image.extensions.count else {
                    throw CommandFailure(code: .noSuchDocument, path: file,
                                         message: "no extension \(index); the image has \(image.extensions.count)")
                }
                writeToStandardOutput(image.extensions[index - 1].bytes)
            } else {
                writeToStandardOutput(image.region.domainXML.bytes)
            }
        }
    }
}
