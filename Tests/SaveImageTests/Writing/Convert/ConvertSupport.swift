import Foundation
@testable import SaveImage

/// Helpers for the convert and stream suites: images built from real fixtures.
enum StreamFixtures {
    /// The bytes of the file at `path`.
    static func file(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The fixture's header + data region bytes, and its stream.
    static func split(_ bytes: [UInt8]) -> (metadata: [UInt8], stream: [UInt8]) {
        let dataLength = Int(bytes.word(at: 20))
        return (Array(bytes[..<(92 + dataLength)]), Array(bytes[(92 + dataLength)...]))
    }

    /// A raw image from `base`'s metadata with a stream of `pages` 4 KiB pages
    /// (the default ~5 MiB: bigger than one parallel-gzip batch; "QEVM" v3 and
    /// then a deterministic mix of zero, text-like and random bytes).
    static func largeRawImage(pages: Int = 1300) throws -> [UInt8] {
        let (metadata, _) = split(try Fixtures.bytes("qemu64-raw-running.sav"))
        var stream: [UInt8] = Array("QEVM".utf8) + [0, 0, 0, 3]
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        let words = ["kernel", "page", "struct", "return", "memory", "the", "of", "0x0000", "save", "restore"]
        for page in 0..<pages {
            switch page % 4 {
            case 0: stream += [UInt8](repeating: 0, count: 4096)
            case 1:
                var text: [UInt8] = []
                while text.count < 4096 { text += Array((words[Int(next() % 10)] + " ").utf8) }
                stream += text.prefix(4096)
            default: for _ in 0..<512 { withUnsafeBytes(of: next()) { stream += $0 } }
            }
        }
        return metadata + stream
    }

    /// Runs `program arguments` with `input` on standard input; returns its output and exit status.
    static func run(_ program: String, _ arguments: [String], input: [UInt8]) throws -> (output: [UInt8], status: Int32) {
        let result = try TestProcess.run([program] + arguments, stdin: input)
        return (result.stdout, result.status)
    }

    /// Names in `directory` (to check that no temporary file was left).
    static func listing(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }
}
