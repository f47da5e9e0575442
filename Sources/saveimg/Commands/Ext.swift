import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg ext list|show|add|remove`: the extension chain after the cookie.
    struct Ext: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List, show, add or remove the XML documents chained after the cookie.",
            discussion: """
                The chain starts at cookieOffset with libvirt's <cookie>; every later NUL-terminated \
                document is an extension. libvirt 9.0 restores images with extensions and ignores them; \
                `virsh save-image-define` drops them. Every saveimg edit keeps them.

                Examples:
                  saveimg ext list vm.save
                  saveimg ext show vm.save 1
                  saveimg ext add vm.save note.xml
                  saveimg ext remove vm.save 1
                """,
            subcommands: [List.self, Show.self, Add.self, Remove.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the extensions (index, root element, size, offset).")

            @Argument(help: ArgumentHelp("Save image file (left out with --managed-save).", valueName: "FILE"), completion: .file())
            var file: String?

            @OptionGroup var source: ImageSource

            @Flag(help: "Print the cookie and the extensions as JSON (one line).")
            var json = false

            @OptionGroup var verbosity: QuietOption

            func run() throws {
                let image = try source.open(try source.path(file))
                if json {
                    try printJSONLine(ChainReport(image))
                    return
                }
                if let cookie = image.cookieDocument {
                    print("cookie  <\(cookie.rootElementName ?? "?")>  \(cookie.bytes.count) bytes  at \(cookie.fileOffset)")
                } else {
                    print("no cookie (cookieOffset \(image.header.cookieOffset))")
                }
                for (index, document) in image.extensions.enumerated() {
                    print("\(index + 1)  <\(document.rootElementName ?? "?")>  \(document.bytes.count) bytes  at \(document.fileOffset)")
                }
                if image.extensions.isEmpty { print("no extensions") }
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print extension N exactly as stored.")

            @Argument(help: ArgumentHelp("Save image file (left out with --managed-save).", valueName: "FILE"), completion: .file())
            var file: String?

            @OptionGroup var source: ImageSource

            @Argument(help: ArgumentHelp("Extension index (1 = first document after the cookie).", valueName: "N"))
            var index: Int?

            @Flag(help: "Print the extension as JSON (one line): where it is and its text.")
            var json = false

            @OptionGroup var verbosity: QuietOption

            func run() throws {
                let (file, index) = try source.pathAndIndex(file, index)
                let image = try source.open(file)
                guard index >= 1, index <= image.extensions.count else {
                    throw CommandFailure(code: .noSuchDocument, path: file,
                                         message: "no extension \(index); the image has \(image.extensions.count)")
                }
                let document = image.extensions[index - 1]
                if json {
                    var report = ChainReport.Document(document, index: index)
                    report.text = String(decoding: document.bytes, as: UTF8.self)
                    try printJSONLine(ChainReport.Shown(file: file, extension: report))
                } else {
                    writeToStandardOutput(document.bytes)
                }
            }

        }

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Chain an XML document after the cookie (an image without a cookie gets <cookie/> first).")

            @Argument(help: ArgumentHelp("Save image file (left out with --managed-save).", valueName: "FILE"), completion: .file())
            var file: String?

            @OptionGroup var source: ImageSource

            @Argument(help: ArgumentHelp("The XML document ('-' for standard input).", valueName: "XML"), completion: .file())
            var document: String?

            @Option(help: ArgumentHelp("Insert as extension N (default: append).", valueName: "N"))
            var at: Int?

            @OptionGroup var options: EditOptions

            @OptionGroup var verbosity: QuietOption

            func run() throws {
                let (fileArgument, second) = source.shifted(file, document)
                let file = try source.path(fileArgument)
                guard let document = second else { throw ValidationError("missing the XML document (a file or '-')") }
                var bytes = try readInputFile(document)
                while bytes.last == 0 { bytes.removeLast() }
                // A malformed document is named by its own file, not the image's.
                if !bytes.isEmpty, !bytes.contains(0) { _ = try XMLParser.parse(bytes, name: "extension", path: document) }
                let at = at
                try options.run(file) { (image) throws(SaveImageError) in try image.addingExtension(bytes, at: at) }
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove extension N from the chain.")

            @Argument(help: ArgumentHelp("Save image file (left out with --managed-save).", valueName: "FILE"), completion: .file())
            var file: String?

            @OptionGroup var source: ImageSource

            @Argument(help: ArgumentHelp("Extension index (1 = first document after the cookie).", valueName: "N"))
            var index: Int?

            @OptionGroup var options: EditOptions

            @OptionGroup var verbosity: QuietOption

            func run() throws {
                let (file, index) = try source.pathAndIndex(file, index)
                try options.run(file) { (image) throws(SaveImageError) in try image.removingExtension(at: index) }
            }
        }
    }
}
