import ArgumentParser
import SaveImage

/// `--format NAME`: a libvirt format name, as ``StreamFormat/all`` lists them.
extension CompressionFormat: ExpressibleByArgument {
    public init?(argument: String) {
        guard let row = StreamFormat.named(argument) else { return nil }
        self = row.format
    }

    public static var allValueStrings: [String] { StreamFormat.all.compactMap(\.format.name) }

    public var defaultValueDescription: String { description }

    public static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}
