import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg diff-cpu FILE...`: the domain CPU against the cookie CPU, as a unified diff.
    struct DiffCPU: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "diff-cpu",
            abstract: "Show a unified diff from the domain XML's <cpu> to the cookie's <cpu>.",
            discussion: """
                The domain XML holds the CPU as the user defined it; the save cookie holds the \
                CPU as QEMU ran it (libvirt 3.5 and later). Lines starting with + are in the \
                cookie only, lines starting with - in the domain XML only. Both are printed in \
                libvirt's XML layout. Nothing is printed for an image whose CPUs are the same; \
                an image whose cookie has no <cpu> gets a one-line note (restore then uses the \
                domain XML's CPU).

                Examples:
                  saveimg diff-cpu /var/lib/libvirt/qemu/save/vm.save
                  saveimg diff-cpu --color always -U 1 vm.save | less -R

                Exit status, as diff(1): 0 the CPUs are the same in every image (or a cookie has no \
                <cpu>); 1 they differ in at least one; 2 an image is invalid or cannot be read. A usage \
                error exits 1, as in every saveimg command (not 2 as in diff).
                """)

        @Argument(help: ArgumentHelp("Save image files.", valueName: "FILE"), completion: .file())
        var files: [String] = []

        @OptionGroup var source: ImageSource

        @Option(name: [.customShort("U", allowingJoined: true), .long], help: ArgumentHelp("Lines of context around each change.", valueName: "N"))
        var context = 3

        @Option(help: ArgumentHelp("Colour: auto (a terminal without NO_COLOR), always or never.", valueName: "WHEN"))
        var color: ColorChoice = .auto

        func validate() throws {
            if !(0...1000).contains(context) { throw ValidationError("--context must be between 0 and 1000") }
        }

        @Flag(help: "Print JSON lines: one object per image with the difference and the diff's hunks.")
        var json = false

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let files = try source.paths(self.files)
            let style = TextStyle(json ? .never : color)
            var output = PerFileOutput(json: json)
            var differ = false
            for path in files {
                do {
                    let image = try source.open(path)
                    let diff = Self.cpuDiff(image, context: context)  // once, for the JSON or the text
                    try output.report(DiffCPUReport(image, diff: diff), composedText: Self.text(image, diff: diff, style: style))
                    if let diff, !diff.isEmpty { differ = true }
                } catch let error as SaveImageError {
                    output.report(error, path: path)
                }
            }
            try output.finish()
            if differ { throw ExitCode(1) }  // diff's convention: 1 when the CPUs differ
        }

        /// The domain XML's CPU against the cookie's, line by line; nil when the cookie has no <cpu>.
        static func cpuDiff(_ image: SaveImage, context: Int) -> UnifiedDiff? {
            image.cookie?.cpu.map { cookieCPU in
                UnifiedDiff(old: image.domain.cpu.map { lines($0.element.formatted()) } ?? [],
                            new: lines(cookieCPU.element.formatted()), context: context)
            }
        }

        /// The diff text, a note (no cookie <cpu>), or nil when the CPUs are the same.
        static func text(_ image: SaveImage, diff: UnifiedDiff?, style: TextStyle) -> String? {
            guard let diff else {
                return style.plain("\(image.path): the cookie has no <cpu>; restore uses the domain XML's CPU")
            }
            guard !diff.isEmpty else { return nil }
            return diff.text(oldLabel: "\(image.path) (domain XML <cpu>\(image.domain.cpu == nil ? ": none" : ""))",
                             newLabel: "\(image.path) (cookie <cpu>)", style: style)
        }

        static func lines(_ text: String) -> [String] {
            text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        }
    }
}
