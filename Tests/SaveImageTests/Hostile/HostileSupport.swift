import Foundation
import Testing
@testable import SaveImage

/// Helpers for the hostile-input, crash and concurrency suites.
enum Hostile {
    /// The fixture every hostile image is built from.
    static let fixture = "westmere-raw.sav"

    /// How long any one saveimg run may take before it counts as a hang.
    static let timeoutSeconds = 30

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
        /// The process was killed by `timeout` (a hang) or died of a signal (a crash).
        var hungOrCrashed: Bool { status == 124 || status == 137 || status >= 128 }
        var output: String { stdout + stderr }
    }

    /// Runs `saveimg arguments...` under `timeout -s KILL`, optionally
    /// wrapped (e.g. in `setpriv` or `strace`).
    static func saveimg(
        _ arguments: [String], wrapper: [String] = [], timeout: Int = timeoutSeconds, stdin: String? = nil
    ) throws -> Run {
        try command(["/usr/bin/timeout", "-s", "KILL", "\(timeout)"] + wrapper + [CLI.executable] + arguments,
                    stdin: stdin)
    }

    /// Runs any command and collects its output.
    static func command(_ argv: [String], stdin: String? = nil) throws -> Run {
        let result = try TestProcess.run(argv, stdin: stdin.map { Array($0.utf8) })
        return Run(status: result.status, stdout: String(decoding: result.stdout, as: UTF8.self),
                   stderr: String(decoding: result.stderr, as: UTF8.self), seconds: result.seconds)
    }

    /// An image with the fixture's header words and stream, and the given documents laid out the
    /// way libvirt writes them (XML, NUL, chain documents each with a NUL, then `padding` zero bytes).
    static func image(domainXML: [UInt8], chain: [[UInt8]], padding: Int = 0) throws -> [UInt8] {
        let original = try Fixtures.bytes(fixture)
        var region = domainXML + [0]
        let cookieOffset = chain.isEmpty ? 0 : region.count
        for document in chain { region += document + [0] }
        region += [UInt8](repeating: 0, count: padding)
        var header = Array(original[0..<92])
        header.setWord(UInt32(region.count), at: 20)
        header.setWord(UInt32(cookieOffset), at: 32)
        return header + region + original[(92 + Int(original.word(at: 20)))...]
    }

    /// The fixture's domain XML and cookie bytes.
    static func documents() throws -> (xml: [UInt8], cookie: [UInt8]) {
        let image = try SaveImage(contentsOf: Fixtures.path(fixture))
        return (image.region.domainXML.bytes, image.cookieDocument?.bytes ?? [])
    }

    /// The fixture's domain XML with `text` spliced in right after the `<domain ...>` start tag.
    static func domainXML(inserting text: String, prolog: String = "") throws -> [UInt8] {
        var xml = String(decoding: try documents().xml, as: UTF8.self)
        let tagEnd = try #require(xml.firstIndex(of: ">"))
        xml.insert(contentsOf: text, at: xml.index(after: tagEnd))
        return Array((prolog + xml).utf8)
    }

    static func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
}

/// A file's SHA-256 (sha256sum), size and modification time, to prove an operation left it alone.
struct FileSnapshot: Equatable {
    var sha256: String
    var size: Int?
    var modified: Date?

    init(_ path: String) throws {
        let sum = try Hostile.command(["/usr/bin/sha256sum", path])
        try #require(sum.status == 0, "sha256sum \(path): \(sum.stderr)")
        sha256 = String(sum.stdout.prefix(64))
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        size = attributes?[.size] as? Int
        modified = attributes?[.modificationDate] as? Date
    }
}

/// Files beside `path` that a writer left behind (`.NAME.saveimg-*` temporaries).
func leftoverTemporaries(beside path: String) -> [String] {
    let directory = (path as NSString).deletingLastPathComponent
    let name = (path as NSString).lastPathComponent
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return entries.filter { $0.hasPrefix("." + name + ".saveimg-") }
}
