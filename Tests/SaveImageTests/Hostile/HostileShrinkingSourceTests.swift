import Foundation
import Testing
@testable import SaveImage

/// A source that another process truncates while saveimg reads it: every
/// chunked reader (convert, check --deep, the sparse reader) stops with a
/// `.busy` error naming the offset where the file ended, never a success
/// that passes the cut stream off as whole.
@Suite("Hostile: a source that shrinks while it is read", .serialized)
struct HostileShrinkingSourceTests {
    @Test("readChunks on a file truncated after it was opened throws .busy at the new end")
    func readChunksStopsWithAnError() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("big.sav", try StreamFixtures.largeRawImage(pages: 2_000))
        let file = try PositionalFile(openingForReading: path)
        let cut: UInt64 = 3 << 20
        #expect(truncate(path, off_t(cut)) == 0)
        var seen: UInt64 = 0
        let error = try #require(throws: SaveImageError.self) {
            try file.readChunks(from: 0) { (chunk, _) throws(SaveImageError) in seen += UInt64(chunk.count) }
        }
        #expect(seen == cut)
        #expect(error.code == .busy)
        #expect(error.offset == cut)
        #expect(error.path == path)
        #expect(error.found.contains("shrank"))
        #expect(error.expected.contains("\(file.size - cut) more stream bytes"))
    }

    @Test("the sparse raw-stream reader stops with .busy when the device state is cut off")
    func sparseDeviceStateCut() throws {
        let directory = try TemporaryDirectory()
        let path = try SparseFixtures.unpack("qemu64-sparse.sav", into: directory)
        let file = try PositionalFile(openingForReading: path)
        let image = try SaveImage(reading: file)
        let layout = try MappedRAMLayout.read(file, streamOffset: image.streamOffset)
        let cut = layout.deviceStateOffset + 10
        #expect(truncate(path, off_t(cut)) == 0)
        let error = try #require(throws: SaveImageError.self) {
            try MappedRAMRawStream.emit(file, layout: layout, keepMappedRAM: false) { _ in }
        }
        #expect(error.code == .busy)
        #expect(error.offset == cut)
        #expect(error.found.contains("shrank"))
    }

    @Test("convert raw -> gzip of a source truncated mid-conversion fails and leaves no output",
          .enabled(if: HostileTools.strace || HostileTools.required, "needs /usr/bin/strace to slow the reads down"))
    func convertOfAShrinkingSource() throws {
        let directory = try TemporaryDirectory()
        let original = try StreamFixtures.largeRawImage(pages: 9_000)
        let input = try directory.write("in.sav", original)
        let output = directory.path + "/out.sav"
        let streamOffset = StreamFixtures.split(original).metadata.count
        // From the 10th pread on (the stream's third 1 MiB chunk), each read waits 0.3 s: the
        // truncation below lands while convert is in the middle of the stream.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
        process.arguments = ["-f", "-qq", "-o", "/dev/null", "-e", "trace=pread64", "-e",
                             "inject=pread64:delay_enter=300000:when=10+", CLI.executable,
                             "convert", input, output, "--format", "gzip", "--threads", "1"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        usleep(1_500_000)
        #expect(truncate(input, off_t(streamOffset + (1 << 20))) == 0)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2, "\(message)")
        #expect(message.contains("shrank while it was being read"), "\(message)")
        #expect(message.contains(input), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: output))
        #expect(try StreamFixtures.listing(directory.path) == ["in.sav"])
    }
}
