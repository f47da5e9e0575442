import Foundation
import Testing
@testable import SaveImage

/// The real images libvirt 9.0 wrote, copied from ../shared/fixtures into testdata/.
enum Fixtures {
    /// The repository's `testdata/` directory.
    static let testdata: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }  // Support, SaveImageTests, Tests, repo
        return url.appendingPathComponent("testdata").path
    }()

    /// Every image in testdata/libvirt-9.0.
    static let libvirt90Images = [
        "hostmodel-raw.sav", "nocpu-raw.sav", "qemu64-gzip.sav", "qemu64-raw-running.sav",
        "qemu64-raw-suspended.sav", "qemu64-xz.sav", "usernet-raw.sav", "westmere-raw.sav",
    ]

    /// Absolute path of a libvirt 9.0 fixture.
    static func path(_ name: String) -> String { testdata + "/libvirt-9.0/" + name }

    /// A fixture's bytes.
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }
}

/// A temporary directory removed when the value is deinitialised.
final class TemporaryDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("saveimg-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        path = base.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` in the directory and returns the path.
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let file = path + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// Little-endian word helpers for hand-modifying headers in tests.
extension Array where Element == UInt8 {
    mutating func setWord(_ value: UInt32, at offset: Int, bigEndian: Bool = false) {
        for i in 0..<4 {
            let shift = bigEndian ? (3 - i) * 8 : i * 8
            self[offset + i] = UInt8(truncatingIfNeeded: value >> UInt32(shift))
        }
    }

    func word(at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(self[offset + $1]) << UInt32($1 * 8) }
    }
}
