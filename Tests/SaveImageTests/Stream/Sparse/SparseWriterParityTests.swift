import Foundation
import Testing
@testable import SaveImage

/// The sparse writer refuses what the sparse reader refuses, so that every
/// file saveimg writes is one it (and QEMU) reads back: a zero-size block
/// (QEMU's reader: "RAM block size: a size above 0") and more blocks than the
/// reader's limit.
@Suite("Sparse: the writer refuses what the reader refuses")
struct SparseWriterParityTests {
    /// libvirt 9.0's raw image with one more block list entry after pc.ram:
    /// `name` of `size` bytes (the MEM_SIZE total is left as it is).
    static func rawWithExtraBlock(name: String, size: UInt64, in directory: TemporaryDirectory) throws -> String {
        var bytes = try Fixtures.bytes("qemu64-raw-running.sav")
        let entry = [UInt8(6)] + Array("pc.ram".utf8)
        let at = try #require((0...(bytes.count - entry.count)).first { Array(bytes[$0..<($0 + entry.count)]) == entry })
        let insert = [UInt8(name.utf8.count)] + Array(name.utf8) + SparseFixtures.bigEndian(size, width: 8)
        bytes.insert(contentsOf: insert, at: at + entry.count + 8)
        let path = directory.path + "/extra-block.sav"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a zero-size RAM block: convert --format sparse refuses it, names the block, writes nothing")
    func zeroSizeBlock() throws {
        let directory = try TemporaryDirectory()
        let input = try Self.rawWithExtraBlock(name: "empty.block", size: 0, in: directory)
        let output = directory.path + "/out.sav"
        let error = #expect(throws: SaveImageError.self) {
            _ = try SaveImageConverter.convert(input: input, output: output, request: ConversionRequest(format: .sparse))
        }
        #expect(error?.field == "RAM block size" && error?.found == "0 for 'empty.block'", "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
