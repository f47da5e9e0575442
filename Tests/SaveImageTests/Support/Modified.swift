import Foundation
import Testing
@testable import SaveImage

/// Builds hand-modified images from real fixtures, the way the rows of
/// ../shared/reference/libvirt-9.0-behaviour.md were made, and reads them back.
struct ModifiedImage {
    let directory: TemporaryDirectory
    let path: String
    let bytes: [UInt8]

    /// Copies fixture `name`, applies `change` to its bytes and writes the result.
    init(_ name: String, _ change: (inout [UInt8]) throws -> Void = { _ in }) throws {
        var bytes = try Fixtures.bytes(name)
        try change(&bytes)
        directory = try TemporaryDirectory()
        self.bytes = bytes
        path = try directory.write(name, bytes)
    }

    /// Reads the image as saveimg's library does.
    func read() throws(SaveImageError) -> SaveImage { try SaveImage(contentsOf: path) }

    /// The error reading the image, or nil when it reads.
    func readError() -> SaveImageError? {
        do { _ = try read(); return nil } catch { return error }
    }
}

/// Offsets of a fixture's parts, taken from its own header.
struct FixtureLayout {
    let dataLength: Int
    let cookieOffset: Int
    let xmlLength: Int      // strlen(domain XML)
    let cookieLength: Int   // strlen(cookie)
    var streamOffset: Int { 92 + dataLength }
    var cookieStart: Int { 92 + cookieOffset }
    var chainEnd: Int { cookieStart + cookieLength + 1 }

    init(_ bytes: [UInt8]) {
        dataLength = Int(bytes.word(at: 20))
        cookieOffset = Int(bytes.word(at: 32))
        xmlLength = bytes[92...].firstIndex(of: 0).map { $0 - 92 } ?? 0
        let cookieStart = 92 + cookieOffset
        cookieLength = bytes[cookieStart...].firstIndex(of: 0).map { $0 - cookieStart } ?? 0
    }
}
