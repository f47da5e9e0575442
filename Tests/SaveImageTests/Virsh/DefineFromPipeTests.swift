import Foundation
import Testing
@testable import SaveImage

/// `define FILE <(cmd)`: the XML input may be a pipe named by a path, as `-` is standard input.
@Suite struct DefineFromPipeTests {
    /// Runs `script` in bash with `$S` the saveimg binary.
    private func bash(_ script: String) throws -> TestProcess.Result {
        try TestProcess.run(["/bin/bash", "-c", script], environment: ["S": CLI.executable])
    }

    @Test func processSubstitutionIsReadLikeStandardInput() throws {
        let directory = try TemporaryDirectory()
        let image = try directory.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
        let before = try Data(contentsOf: URL(fileURLWithPath: image))
        // The same XML back: nothing to change, as with `-`.
        let same = try bash("\"$S\" define \(image) <(\"$S\" dumpxml --security-info \(image))")
        #expect(same.status == 0, "\(String(decoding: same.stderr, as: UTF8.self))")
        #expect(String(decoding: same.stdout, as: UTF8.self).contains("nothing to change"))
        // A changed XML through a pipe is written.
        let described = try bash("\"$S\" define \(image) <(\"$S\" dumpxml --security-info \(image) "
            + "| sed 's|</name>|</name><description>from a pipe</description>|')")
        #expect(described.status == 0, "\(String(decoding: described.stderr, as: UTF8.self))")
        let xml = try CLI.run(["dumpxml", image]).output
        #expect(xml.contains("<description>from a pipe</description>"), "\(xml)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: image)) != before)
    }

    @Test func aDeviceIsBoundedNotFlooding() throws {
        let bytes = try #require(throws: SaveImageError.self) { try StandardInput.contents(ofPipe: "/dev/zero", limit: 1 << 20) }
        #expect(bytes.code == .tooLarge)
        let regular = try #require(throws: SaveImageError.self) { try StandardInput.contents(ofPipe: Fixtures.path("westmere-raw.sav")) }
        #expect(regular.code == .notRegularFile)
    }
}
