/// lzop through the external `lzop` program, as libvirt does (there is no
/// liblzo2 binding here): `lzop -c -N` to compress, `lzop -dc` to decompress.
final class LzopFilter: StreamTransform {
    private let process: FilterProcess

    /// A compressor at `level` (1...9), or a decompressor when `level` is nil.
    public init(compressingAt level: Int?) throws(SaveImageError) {
        let arguments = level.map { ["-c", "-\($0)"] } ?? ["-dc"]
        process = try FilterProcess(program: "lzop", arguments: arguments)
    }

    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        try process.write(input, output: output)
    }

    public func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        try process.finish(output: output)
    }
}
