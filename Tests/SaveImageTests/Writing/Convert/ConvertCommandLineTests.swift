import Foundation
import Testing
@testable import SaveImage

/// `saveimg convert`, `check --deep` and `seal` run as a user runs them, on
/// copies of the real libvirt 9.0 fixtures (~0.6 MB each).
@Suite struct ConvertCommandLineTests {
    static let compressed: [CompressionFormat] = [.gzip, .bzip2, .xz, .lzop, .zstd]

    /// `sha256sum` of `bytes`, its 64 hex digits.
    static func sha256sum(_ bytes: [UInt8]) throws -> String {
        let result = try StreamFixtures.run("/usr/bin/sha256sum", [], input: bytes)
        #expect(result.status == 0)
        return String(decoding: result.output.prefix(64), as: UTF8.self)
    }

    /// The byte offset of the first page's data in a raw image's stream: the
    /// first RAM PART record's page (as in the deep-check suite), plus 200.
    static func offsetInsideFirstPage(_ stream: [UInt8]) throws -> Int {
        let record: [UInt8] = [0x02, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x06]
        let at = try #require((0..<(stream.count - 14)).first { Array(stream[$0..<($0 + 14)]) == record })
        return at + 200
    }

    // MARK: - convert

    @Test("convert raw -> F -> raw: exit 0, F in the header's format word, byte-identical round trip",
          arguments: compressed)
    func roundTrip(format: CompressionFormat) throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let middle = image.directory.path + "/mid.sav", back = image.directory.path + "/back.sav"
        // --threads only where the encoder has worker threads (bzip2 and lzop refuse it).
        let threads = StreamFormat.named(format)?.usesThreads == true ? ["--threads", "2"] : []
        let there = try CLI.run(["convert", image.path, middle, "--format", format.description] + threads)
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.output.contains("raw -> \(format.description)"))
        let converted = try StreamFixtures.file(middle)
        #expect(converted.word(at: 28) == format.rawValue)
        let (metadata, stream) = StreamFixtures.split(image.bytes)
        // Header but for the format word, and the data region, are the input's.
        var expectedHeader = Array(image.bytes[..<92])
        expectedHeader.setWord(format.rawValue, at: 28)
        #expect(Array(converted[..<92]) == expectedHeader)
        #expect(Array(converted[92..<metadata.count]) == Array(metadata[92...]))
        #expect(Array(converted[metadata.count...]) != stream)
        let home = try CLI.run(["convert", middle, back, "--format", "raw"])
        #expect(home.status == 0, "\(home.stderr)")
        #expect(home.output.contains("\(format.description) -> raw"))
        #expect(try StreamFixtures.file(back) == image.bytes)
        #expect(try StreamFixtures.listing(image.directory.path) == ["back.sav", "mid.sav", "qemu64-raw-running.sav"])
    }

    @Test("options that do not apply to the format are usage errors, not silently ignored",
          arguments: [(["--format", "raw", "--level", "3"], "--level does not apply to raw"),
                      (["--format", "sparse", "--level", "1"], "--level does not apply to sparse"),
                      (["--format", "lzop", "--threads", "4"], "--threads does not apply to lzop"),
                      (["--format", "gzip", "--level", "12"], "--level for gzip must be 1...9"),
                      (["--format", "lz4"], "--format")])
    func inapplicableOptions(arguments: [String], message: String) throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let output = image.directory.path + "/out.sav"
        let result = try CLI.run(["convert", image.path, output] + arguments)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test("convert --json prints the summary with its sizes")
    func jsonSummary() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let output = image.directory.path + "/out.sav"
        let result = try CLI.run(["convert", image.path, output, "--format", "gzip", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSchema.validate(result, "convert").first)
        #expect(Set(json.keys) == ["file", "output", "from_format", "to_format", "stream_copied", "file_size",
                                   "output_size", "raw_stream_bytes", "output_stream_bytes"])
        let (metadata, stream) = StreamFixtures.split(image.bytes)
        let written = try StreamFixtures.file(output)
        #expect(json["file"] as? String == image.path)
        #expect(json["output"] as? String == output)
        #expect(json["from_format"] as? String == "raw")
        #expect(json["to_format"] as? String == "gzip")
        #expect(json["stream_copied"] as? Bool == false)
        #expect((json["file_size"] as? NSNumber)?.intValue == image.bytes.count)
        #expect((json["output_size"] as? NSNumber)?.intValue == written.count)
        #expect((json["raw_stream_bytes"] as? NSNumber)?.intValue == stream.count)
        #expect((json["output_stream_bytes"] as? NSNumber)?.intValue == written.count - metadata.count)
    }

    /// An input convert must refuse, what the message must name, and the image's file name.
    struct Refusal: CustomTestStringConvertible, Sendable {
        var name: String
        var fixture: String
        var format: String
        var change: @Sendable (inout [UInt8]) -> Void
        var mentions: @Sendable ([UInt8]) -> [String]
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "gzip stream cut short", fixture: "qemu64-gzip.sav", format: "xz",
                change: { $0.removeLast(50_000) },
                mentions: { cut in ["offset \(cut.count)"] }),
        Refusal(name: "header says gzip, stream is raw", fixture: "qemu64-raw-running.sav", format: "raw",
                change: { $0.setWord(1, at: 28) },
                mentions: { bytes in ["offset \(StreamFixtures.split(bytes).metadata.count)", "stream:", "gzip"] }),
        Refusal(name: "a save in progress (Part magic)", fixture: "westmere-raw.sav", format: "gzip",
                change: { $0.replaceSubrange(0..<16, with: Array("LibvirtQemudPart".utf8)) },
                mentions: { _ in ["magic"] }),
        Refusal(name: "data_len past the end of the file", fixture: "nocpu-raw.sav", format: "zstd",
                change: { $0.setWord(UInt32($0.count), at: 20) },
                mentions: { _ in ["data_len"] }),
    ]

    @Test("refusals exit 2 naming the file and the field or offset; IN untouched, no OUT, no temporary file",
          arguments: refusals)
    func refusal(_ refusal: Refusal) throws {
        let image = try ModifiedImage(refusal.fixture) { refusal.change(&$0) }
        let result = try CLI.run(["convert", image.path, image.directory.path + "/out.sav", "--format", refusal.format])
        #expect(result.status == 2)
        #expect(result.stderr.contains(image.path), "\(result.stderr)")
        for text in refusal.mentions(image.bytes) { #expect(result.stderr.contains(text), "\(text): \(result.stderr)") }
        #expect(try StreamFixtures.file(image.path) == image.bytes)
        #expect(try StreamFixtures.listing(image.directory.path) == [refusal.fixture])
    }

    @Test("a refused in-place convert (OUT == IN) leaves IN byte-identical and no temporary file")
    func refusalInPlace() throws {
        let image = try ModifiedImage("qemu64-gzip.sav") { $0.removeLast(50_000) }
        let result = try CLI.run(["convert", image.path, image.path, "--format", "raw"])
        #expect(result.status == 2)
        #expect(result.stderr.contains(image.path))
        #expect(try StreamFixtures.file(image.path) == image.bytes)
        #expect(try StreamFixtures.listing(image.directory.path) == ["qemu64-gzip.sav"])
    }

    @Test("OUT == IN converts in place, keeping the mode; and back to the original bytes")
    func inPlace() throws {
        let image = try ModifiedImage("westmere-raw.sav")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: image.path)
        let there = try CLI.run(["convert", image.path, image.path, "--format", "xz"])
        #expect(there.status == 0, "\(there.stderr)")
        #expect(try StreamFixtures.file(image.path).word(at: 28) == CompressionFormat.xz.rawValue)
        #expect(try SaveImage(contentsOf: image.path).cookie?.cpu?.model == "Westmere")
        #expect(try FileManager.default.attributesOfItem(atPath: image.path)[.posixPermissions] as? Int == 0o640)
        let back = try CLI.run(["convert", image.path, image.path, "--format", "raw"])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(try StreamFixtures.file(image.path) == image.bytes)
        #expect(try FileManager.default.attributesOfItem(atPath: image.path)[.posixPermissions] as? Int == 0o640)
        #expect(try StreamFixtures.listing(image.directory.path) == ["westmere-raw.sav"])
    }

    @Test("SIGINT or SIGTERM mid-convert removes the temporary file: no OUT, IN untouched",
          .enabled(if: HostileTools.strace, "needs /usr/bin/strace to hold the convert mid-write"),
          arguments: [SIGINT, SIGTERM])
    func interrupted(signal: Int32) throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let output = image.directory.path + "/out.sav"
        // strace holds saveimg for 2 s before its first pwrite, when the temporary file exists.
        // The test runner blocks SIGINT/SIGTERM and children inherit that mask: start saveimg
        // with none blocked, as a shell does.
        let process = try TestProcess.start([
            "/usr/bin/python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                + "os.execv(sys.argv[1], sys.argv[1:])",
            "/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=pwrite64",
            "-e", "inject=pwrite64:delay_enter=2000000:when=1",
            CLI.executable, "convert", image.path, output, "--format", "gzip", "--threads", "1"])
        // The temporary file's name carries saveimg's pid: `.out.sav.saveimg-convert-<pid>-<n>`.
        let temporaries = TestProcess.awaitTemporaries(beside: output, attempts: 150)
        let name = try #require(temporaries.first, "no temporary file appeared")
        let pid = try #require(name.split(separator: "-").dropLast().last.flatMap { pid_t($0) })
        #expect(kill(pid, signal) == 0)
        process.waitUntilExit()
        #expect(leftoverTemporaries(beside: output).isEmpty)
        let listing = try StreamFixtures.listing(image.directory.path)
        #expect(listing == ["qemu64-raw-running.sav"], "saveimg \(pid) was not stopped by signal \(signal)")
        #expect(try StreamFixtures.file(image.path) == image.bytes)
    }

    /// The race the test above could not see: SIGTERM the moment the temporary
    /// file appears, before saveimg has armed its removal. The signals are held
    /// from just before the file is created until removal is armed, so no kill
    /// leaves the file (measured before the fix: 10 of 300 kills left one).
    @Test("SIGTERM the moment the temporary file appears never leaves it behind (100 kills)")
    func killedAsTheTemporaryFileAppears() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let output = image.directory.path + "/out.sav"
        var killed = 0
        for attempt in 0..<100 {
            // Children inherit the test runner's blocked SIGTERM: start saveimg with none blocked.
            let process = try TestProcess.start([
                "/usr/bin/python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                    + "os.execv(sys.argv[1], sys.argv[1:])",
                CLI.executable, "convert", image.path, output, "--format", "gzip", "--threads", "1"])
            let start = Date()
            while leftoverTemporaries(beside: output).isEmpty, process.isRunning, Date().timeIntervalSince(start) < 10 {}
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killed += 1 }
            #expect(leftoverTemporaries(beside: output).isEmpty, "attempt \(attempt): temporary file left")
            try? FileManager.default.removeItem(atPath: output)
        }
        #expect(killed >= 50, "only \(killed) of 100 runs were killed before they finished")
        #expect(try StreamFixtures.file(image.path) == image.bytes)
    }

    // MARK: - check --deep

    @Test("check --deep on a good gzip image: exit 0 and the SHA-256 sha256sum gives for the decompressed stream")
    func deepCheckGood() throws {
        let image = try ModifiedImage("qemu64-gzip.sav")
        let (_, compressedStream) = StreamFixtures.split(image.bytes)
        let raw = try StreamFixtures.run("/usr/bin/gzip", ["-dc"], input: compressedStream)
        #expect(raw.status == 0)
        let digest = try Self.sha256sum(raw.output)
        let result = try CLI.run(["check", "--deep", image.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.output.contains("\(image.path): OK"))
        #expect(result.output.contains("raw stream    \(raw.output.count) bytes, sha256 \(digest)"), "\(result.output)")
    }

    @Test("check --deep on a raw image cut in half: exit 2, DAMAGED, truncated at the cut's offset")
    func deepCheckTruncated() throws {
        let original = try Fixtures.bytes("qemu64-raw-running.sav")
        let (metadata, stream) = StreamFixtures.split(original)
        let image = try ModifiedImage("qemu64-raw-running.sav") { $0.removeLast(stream.count - stream.count / 2) }
        let result = try CLI.run(["check", "--deep", image.path])
        #expect(result.status == 2)
        #expect(result.output.contains("\(image.path): DAMAGED"))
        #expect(result.output.contains("raw stream offset \(stream.count / 2) (file offset \(metadata.count + stream.count / 2))"),
                "\(result.output)")
        #expect(result.output.contains("truncated"))
    }

    @Test("check --deep on a corrupted section header: exit 2, the byte and its offset")
    func deepCheckCorrupted() throws {
        let (metadata, stream) = StreamFixtures.split(try Fixtures.bytes("qemu64-raw-running.sav"))
        let footerThenPart: [UInt8] = [0x7e, 0, 0, 0, 3, 0x02, 0, 0, 0, 3]
        let at = try #require((0..<(stream.count - 10)).first { Array(stream[$0..<($0 + 10)]) == footerThenPart }) + 5
        let image = try ModifiedImage("qemu64-raw-running.sav") { $0[metadata.count + at] = 0x55 }
        let result = try CLI.run(["check", "--deep", image.path])
        #expect(result.status == 2)
        #expect(result.output.contains("raw stream offset \(at) (file offset \(metadata.count + at))"), "\(result.output)")
        #expect(result.output.contains("found 0x55"))
    }

    // MARK: - seal

    @Test("seal, then check --deep verifies it; a flipped stream byte fails the check")
    func sealThenCheck() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let (metadata, stream) = StreamFixtures.split(image.bytes)
        // The seal holds the guest-state digest (not the stream bytes' SHA-256).
        let digest = try #require(try DeepCheck.run(path: image.path).stateSha256)
        #expect(digest != (try Self.sha256sum(stream)))
        let sealed = try CLI.run(["seal", image.path])
        #expect(sealed.status == 0, "\(sealed.stderr)")
        #expect(sealed.output.contains("sealed, guest-state-v1 \(digest)"))
        #expect(try image.read().extensions.map(\.text).contains { $0.contains("digest='guest-state-v1' sha256='\(digest)'") })
        let good = try CLI.run(["check", "--deep", image.path])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.output.contains("seal          guest-state-v1 matches"))

        var bytes = try StreamFixtures.file(image.path)
        let streamOffset = Int(try image.read().streamOffset)
        #expect(streamOffset == metadata.count)  // sealed in place, in the padding
        bytes[streamOffset + (try Self.offsetInsideFirstPage(stream))] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: image.path))
        let bad = try CLI.run(["check", "--deep", image.path])
        #expect(bad.status == 2)
        #expect(bad.output.contains("DAMAGED"))
        #expect(bad.output.contains("seal          guest-state-v1 DOES NOT MATCH (sealed \(digest))"), "\(bad.output)")
        #expect(!bad.output.contains("sha256 \(digest)\n"))
    }
}
