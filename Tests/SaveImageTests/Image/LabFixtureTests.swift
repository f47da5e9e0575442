import Foundation
import Testing
@testable import SaveImage

/// The images `scripts/lab/make-fixtures.sh` made with real libvirt 9.0:
/// bzip2 and lzop streams (libvirt's external compressors) and a managed save.
@Suite struct LabFixtureTests {
    static let directory = Fixtures.testdata + "/libvirt-9.0-lab"
    static let images = ["qemu64-bzip2.sav", "qemu64-lzop.sav", "qemu64-managedsave.sav"]

    @Test func manifestListsEveryImage() throws {
        let rows = try FixtureInspectionTests.manifest(Self.directory + "/MANIFEST.md")
        #expect(rows.map(\.file) == Self.images)
    }

    @Test(arguments: images)
    func readsAsItsManifestSays(_ name: String) throws {
        let rows = try FixtureInspectionTests.manifest(Self.directory + "/MANIFEST.md")
        let row = try #require(rows.first { $0.file == name })
        let path = Self.directory + "/" + name
        let image = try SaveImage(contentsOf: path)
        #expect(image.fileSize == row.size)
        #expect(image.header.format.rawValue == row.format)
        #expect(image.header.dataLength == row.dataLength)
        #expect(image.header.cookieOffset == row.cookieOffset)
        #expect(image.streamSignature.impliedFormat == image.header.format)
        #expect(image.findings.allSatisfy { $0.severity == .info })
        #expect(image.cookie?.cpu?.model == "qemu64")
        #expect(image.cpuDifference.added.map(\.name) == ["hypervisor", "lahf_lm"])
        // Round trip: header and data region serialise to the stored bytes.
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(image.header.serialized() + image.region.serialized() == Array(bytes[0..<Int(image.streamOffset)]))
    }

    @Test func machineTypeFromTheBzip2Stream() throws {
        let image = try SaveImage(contentsOf: Self.directory + "/qemu64-bzip2.sav")
        #expect(image.streamPrelude?.machineType == "pc-i440fx-7.2")
    }

    /// libvirt's own bzip2 and lzop output decompresses to a complete QEMU stream.
    @Test(arguments: images)
    func deepCheckWalksTheWholeStream(_ name: String) throws {
        let result = try CLI.run(["check", "--deep", Self.directory + "/" + name])
        #expect(result.status == 0, "\(result.output) \(result.stderr)")
    }
}
