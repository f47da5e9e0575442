/// Compresses one ``DeflateBlock`` of the parallel gzip encoder into raw
/// deflate data that ends on a byte boundary (or ends the deflate stream for
/// the last block), and sets the block's CRC-32. One per worker thread.
protocol BlockDeflater: AnyObject, Sendable {
    /// The most output one block of `blockSize` input bytes can produce.
    func outputBound(blockSize: Int) -> Int
    /// Compresses `block`'s payload (primed with its dictionary) into its output, or sets its failure.
    func compress(_ block: DeflateBlock)
}

extension GzipBlockDeflater: BlockDeflater {}

/// Which library compresses gzip at a given `--level`.
enum GzipLevelMapping {
    /// ISA-L's level for gzip `level`, or nil for zlib.
    ///
    /// ISA-L has levels 1-3; they are mapped onto gzip's by output size
    /// (measured on a libvirt 9.0 save of a 256 MiB guest, BENCHMARKS.md):
    /// gzip 1 -> ISA-L 1, 2-3 -> ISA-L 2, 4-6 -> ISA-L 3 (the default 6:
    /// within about 1.5% of zlib -6's size at several times its speed);
    /// 7-9 stay with zlib, which ISA-L cannot match in size.
    static func isalLevel(forGzipLevel level: Int) -> Int32? {
        switch level {
        case ...1: 1
        case 2...3: 2
        case 4...6: 3
        default: nil
        }
    }
}
