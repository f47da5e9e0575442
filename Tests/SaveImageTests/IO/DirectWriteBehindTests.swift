import Foundation
import Testing
@testable import SaveImage

/// The direct-I/O writer behind convert's output: every appended byte lands
/// where it belongs, through `O_DIRECT` chunks, the buffered tail and the
/// fallback, and a conversion through it equals one through the page cache.
@Suite("Direct write-behind")
struct DirectWriteBehindTests {
    /// Appends of awkward sizes: 1 byte, just under and over a block, more
    /// than a chunk at once, and many small ones (37 MiB + 4,321 bytes in all).
    static func pieces() -> [[UInt8]] {
        var state: UInt64 = 0x2545_f491_4f6c_dd1d
        func bytes(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return UInt8(truncatingIfNeeded: state)
            }
        }
        var pieces = [bytes(1), bytes(4095), bytes(4097), bytes(DirectWriteBehind.chunkSize + 3)]
        for size in [65_536, 1_000_000, 12_345] { for _ in 0..<12 { pieces.append(bytes(size)) } }
        let total = pieces.reduce(0) { $0 + $1.count }
        pieces.append(bytes(37 * 1_048_576 + 4_321 - total))
        return pieces
    }

    @Test("appends of every size read back byte for byte, with direct I/O and with the fallback", arguments: [false, true])
    func appendsReadBack(refusingDirectIO: Bool) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/out"
        let pieces = Self.pieces()
        do {
            let file = try #require(try PositionalFile.createExclusively(path, permissions: 0o600, reportedAs: path))
            let writer = try #require(DirectWriteBehind(path: path, buffered: file, refusingDirectIO: refusingDirectIO))
            for piece in pieces { try piece.withUnsafeBytes { try writer.append($0) } }
            try writer.finish()
            #expect(writer.fellBack == refusingDirectIO)
            try file.sync()
            try file.close()
        }
        let written = try StreamFixtures.file(path)
        #expect(written.count == 37 * 1_048_576 + 4_321)
        #expect(written == Array(pieces.joined()))
    }

    @Test("a conversion through the direct writer equals one through the page cache, and gzip -dc reads it")
    func convertDirectEqualsBuffered() throws {
        let directory = try TemporaryDirectory()
        let original = try StreamFixtures.largeRawImage(pages: 9_000)
        let input = try directory.write("big.sav", original)
        let direct = directory.path + "/direct.sav", buffered = directory.path + "/buffered.sav"
        let back = directory.path + "/back.sav"
        let options = CompressionOptions(threads: 2)
        _ = try SaveImageConverter.convert(input: input, output: direct, request: ConversionRequest(format: .gzip, options: options))
        _ = try SaveImageConverter.convert(input: input, output: buffered,
                                           request: ConversionRequest(format: .gzip, options: options, directIO: false))
        let gz = try StreamFixtures.file(direct)
        #expect(gz == (try StreamFixtures.file(buffered)))
        let (metadata, stream) = StreamFixtures.split(original)
        let decoded = try StreamFixtures.run("/usr/bin/gzip", ["-dc"], input: Array(gz[metadata.count...]))
        #expect(decoded.status == 0)
        #expect(decoded.output == stream)
        // gzip -> raw, the direct writer's main case: the original back, byte for byte.
        _ = try SaveImageConverter.convert(input: direct, output: back, request: ConversionRequest(format: .raw))
        #expect(try StreamFixtures.file(back) == original)
        #expect(try StreamFixtures.listing(directory.path) == ["back.sav", "big.sav", "buffered.sav", "direct.sav"])
    }

    @Test("convert opens its output O_DIRECT, writes 4 MiB chunks, fdatasyncs every 8 and fsyncs before the rename; --no-direct-io does not",
          .enabled(if: HostileTools.strace || HostileTools.required, "needs /usr/bin/strace"))
    func convertUsesDirectIO() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("big.sav", try StreamFixtures.largeRawImage(pages: 9_000))
        func trace(_ extra: [String]) throws -> String {
            let log = directory.path + "/trace.txt"
            let run = try Hostile.saveimg(["convert", input, directory.path + "/out.sav", "--overwrite", "--format", "raw",
                                           "--byte-order", "big"] + extra,
                                          wrapper: ["/usr/bin/strace", "-f", "-qq", "-o", log,
                                                    "-e", "trace=openat,pwrite64,fdatasync,fsync,rename"])
            #expect(run.status == 0, "\(run.stderr)")
            return try String(contentsOfFile: log, encoding: .utf8)
        }
        let direct = try trace([])
        #expect(direct.contains("O_WRONLY|O_DIRECT"))
        let chunks = direct.split(separator: "\n").filter { $0.contains("pwrite64(") && $0.hasSuffix("= 4194304") }
        let size = try #require(FileStatus(ofLink: directory.path + "/out.sav")).size
        let whole = Int(size) / DirectWriteBehind.chunkSize  // 36.9 MB of output: 8 whole chunks
        #expect(whole == 8)
        #expect(chunks.count == whole, "\(chunks.count) direct chunks")
        #expect(direct.split(separator: "\n").filter { $0.contains("fdatasync(") }.count == whole / DirectWriteBehind.chunksPerFlush)
        let buffered = try trace(["--no-direct-io"])
        #expect(!buffered.contains("O_WRONLY|O_DIRECT"))
        #expect(!buffered.contains("fdatasync("))
        #expect(buffered.contains("fsync("))
    }
}
