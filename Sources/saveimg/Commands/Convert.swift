import ArgumentParser
import SaveImage

extension SaveImg {
    /// `saveimg convert IN OUT --format F`: rewrite the stream in another format.
    struct Convert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite a save image's stream in another compression format.",
            discussion: """
                The domain XML, cookie, extension chain and padding are copied byte for byte; \
                the header's format field (and, if asked, its byte order and, with --header-version, its version) is rewritten. \
                gzip is compressed in parallel (one gzip member, as pigz writes), xz and zstd with \
                their libraries' worker threads, bzip2 with libbz2, lzop through the lzop program. \
                The output is written to a temporary file beside OUT and renamed over it when \
                complete: an error or Ctrl-C leaves no partial OUT and IN is never modified; OUT \
                may be IN. An existing OUT that is not IN is refused (so a typo cannot replace an unrelated \
                file) unless --overwrite. libvirt 9.0 restores raw, gzip, bzip2, xz and lzop, not zstd.

                Examples:
                  saveimg convert vm.save vm.save --format gzip
                  saveimg convert vm.save /tmp/vm-raw.save --format raw --byte-order big

                Exit status: 0 converted; 1 usage error; 2 the input is invalid or the conversion failed.
                """)

        @Argument(help: ArgumentHelp("Input image (left out with --managed-save).", valueName: "IN"), completion: .file())
        var input: String?

        @Argument(help: ArgumentHelp("Output image (may be the input).", valueName: "OUT"), completion: .file())
        var output: String?

        @OptionGroup var source: ImageSource

        @Option(help: ArgumentHelp("Stream format: raw, gzip, bzip2, xz, lzop, zstd or sparse (QEMU mapped-ram, libvirt >= 11.2).",
                                   valueName: "FORMAT"))
        var format: CompressionFormat

        @Option(help: ArgumentHelp("Compression level (default: the level of libvirt's program: gzip 6, bzip2 9, xz 3, lzop 3, zstd 3).", valueName: "N"))
        var level: Int?

        @Option(help: ArgumentHelp("Worker threads for gzip, xz and zstd (default: the number of CPUs).", valueName: "N"))
        var threads: Int?

        @Option(name: .customLong("byte-order"), help: ArgumentHelp("Header byte order to write: little or big (default: the input's).", valueName: "ORDER"),
                completion: .list(["little", "big"]))
        var byteOrder: String?

        @Option(name: .customLong("header-version"), help: ArgumentHelp("Header version to write: 1 or 2 (1 only with a raw stream).", valueName: "N"))
        var version: UInt32?

        @Flag(name: [.short, .long], help: "Show a progress bar on standard error (only when it is a terminal).")
        var progress = false

        @Flag(help: "Print a JSON summary (one line).")
        var json = false

        @Flag(help: "Replace an existing OUT that is not IN.")
        var overwrite = false

        /// The old spelling, kept hidden for scripts written before the flag had one name per meaning.
        @Flag(name: .customLong("force"), help: .hidden)
        var legacyForce = false

        @Flag(name: .customLong("no-direct-io"),
              help: "Write OUT through the page cache (default: direct I/O from a second thread, like virsh's --bypass-cache).")
        var noDirectIO = false

        func validate() throws {
            let target = format
            let row = StreamFormat.named(target)
            if let level {
                guard let range = row?.levels else {
                    throw ValidationError("--level does not apply to \(target) (it is not compressed)")
                }
                if !range.contains(level) {
                    throw ValidationError("--level for \(target) must be \(range.lowerBound)...\(range.upperBound)")
                }
            }
            if let threads {
                if threads < 1 { throw ValidationError("--threads must be at least 1") }
                if row?.usesThreads != true {
                    throw ValidationError("--threads does not apply to \(target) (only gzip, xz and zstd use worker threads)")
                }
            }
            if let byteOrder, ByteOrder(rawValue: byteOrder) == nil {
                throw ValidationError("--byte-order must be little or big")
            }
            if let version, version != 1 && version != 2 { throw ValidationError("--header-version must be 1 or 2") }
            if version == 1 && target != .raw {
                throw ValidationError("--header-version 1 needs --format raw (libvirt ignores the format below version 2)")
            }
        }

        @OptionGroup var verbosity: QuietOption

        func run() throws {
            let (inputArgument, outputArgument) = source.shifted(input, output)
            let input = try source.path(inputArgument)
            guard let output = outputArgument else { throw ValidationError("missing the output image OUT") }
            let request = ConversionRequest(
                format: format,
                options: CompressionOptions(level: level, threads: threads ?? ProcessorCount.online),
                byteOrder: byteOrder.flatMap(ByteOrder.init(rawValue:)), version: version,
                replaceExisting: overwrite || legacyForce, directIO: !noDirectIO)
            let bar = progress ? ProgressBar(label: "convert") : nil
            defer { bar?.finish() }
            let summary = try SaveImageConverter.convert(input: input, output: output, request: request) { step in
                bar?.update(done: step.done, total: step.total)
            }
            bar?.finish()
            if json {
                try printJSONLine(ConvertReport(summary))
            } else {
                print("\(output): \(summary.fromFormat) -> \(summary.toFormat), \(summary.outputBytes) bytes")
            }
        }
    }
}
