import Foundation
import Testing
@testable import SaveImage

/// Every real libvirt 9.0 image reads with the values its MANIFEST.md records.
@Suite struct FixtureInspectionTests {
    /// A row of testdata/libvirt-9.0/MANIFEST.md's table.
    struct ManifestRow {
        var file: String
        var size: UInt64
        var wasRunning: UInt32
        var format: UInt32
        var dataLength: UInt32
        var cookieOffset: UInt32
    }

    static func manifest(_ path: String = Fixtures.path("MANIFEST.md")) throws -> [ManifestRow] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 6, cells[0].hasSuffix(".sav"),
                  let size = UInt64(cells[1]), let running = UInt32(cells[2]), let format = UInt32(cells[3]),
                  let dataLength = UInt32(cells[4]), let cookieOffset = UInt32(cells[5])
            else { return nil }
            return ManifestRow(file: cells[0], size: size, wasRunning: running, format: format,
                               dataLength: dataLength, cookieOffset: cookieOffset)
        }
    }

    @Test func manifestListsEveryFixture() throws {
        #expect(try Self.manifest().map(\.file).sorted() == Fixtures.libvirt90Images.sorted())
    }

    @Test(arguments: Fixtures.libvirt90Images)
    func headerMatchesManifest(_ name: String) throws {
        let row = try #require(try Self.manifest().first { $0.file == name })
        let image = try SaveImage(contentsOf: Fixtures.path(name))
        #expect(image.fileSize == row.size)
        #expect(image.header.magic == .complete)
        #expect(image.header.version == 2)
        #expect(image.header.byteOrder == .little)
        #expect(image.header.wasRunning == row.wasRunning)
        #expect(image.header.format.rawValue == row.format)
        #expect(image.header.dataLength == row.dataLength)
        #expect(image.header.cookieOffset == row.cookieOffset)
        #expect(image.header.unused == Array(repeating: 0, count: 14))
        // libvirt 9.0 pads 64 KiB after the cookie's NUL.
        #expect(image.region.padding.count == 65536)
        #expect(image.region.nonZeroPaddingBytes == 0)
        #expect(image.extensions.isEmpty)
        #expect(image.findings.allSatisfy { $0.severity == .info })
    }

    @Test(arguments: Fixtures.libvirt90Images)
    func domainMatchesItsSourceXML(_ name: String) throws {
        let image = try SaveImage(contentsOf: Fixtures.path(name))
        let variant = name.split(separator: "-")[0]
        let source = try String(contentsOfFile: Fixtures.path("domain-\(variant).xml"), encoding: .utf8)
        let defined = try DomainSummary(element: try XMLParser.parse(Array(source.utf8), name: "source"))
        #expect(image.domain.name == defined.name)
        #expect(image.domain.memoryKiB == defined.memoryKiB)
        #expect(image.domain.memoryKiB == 32768)
        #expect(image.domain.vcpus == 1)
        #expect(image.domain.arch == "x86_64")
        #expect(image.domain.machine == "pc-i440fx-7.2")
        #expect(image.domain.uuid?.count == 36)
        // The domain XML keeps the CPU as defined; libvirt fills in a default
        // (nocpu: qemu64, check='none') and expands host-model (below).
        if variant == "nocpu" {
            #expect(defined.cpu == nil)
            #expect(image.domain.cpu?.model == "qemu64")
            #expect(image.domain.cpu?.check == "none")
        } else if variant != "hostmodel" {
            #expect(image.domain.cpu?.model == defined.cpu?.model)
            #expect(image.domain.cpu?.features == defined.cpu?.features)
        }
        #expect(image.streamPrelude?.machineType == "pc-i440fx-7.2")
        #expect(image.streamPrelude?.version == 3)
    }

    /// The CPUs QEMU ran, as MANIFEST.md describes them.
    @Test(arguments: [
        ("westmere-raw.sav", "Westmere", ["pclmuldq", "hypervisor", "arat"]),
        ("qemu64-raw-running.sav", "qemu64", ["hypervisor", "lahf_lm"]),
        ("qemu64-raw-suspended.sav", "qemu64", ["hypervisor", "lahf_lm"]),
        ("qemu64-gzip.sav", "qemu64", ["hypervisor", "lahf_lm"]),
        ("qemu64-xz.sav", "qemu64", ["hypervisor", "lahf_lm"]),
    ])
    func cookieCPUAddsFeatures(_ name: String, _ model: String, _ added: [String]) throws {
        let image = try SaveImage(contentsOf: Fixtures.path(name))
        let cookieCPU = try #require(image.cookie?.cpu)
        #expect(cookieCPU.model == model)
        #expect(image.domain.cpu?.model == model)
        let difference = image.cpuDifference
        #expect(Set(difference.added.map(\.name)).isSuperset(of: added))
        #expect(difference.added.filter { $0.policy == .require }.map(\.name).sorted() == added.sorted()
                || Set(difference.added.map(\.name)) == Set(added))
        #expect(!difference.modelDiffers)
    }

    @Test func westmereDifferenceIsExactlyTheRegressionFeatures() throws {
        let image = try SaveImage(contentsOf: Fixtures.path("westmere-raw.sav"))
        #expect(image.cpuDifference.added.map(\.name) == ["pclmuldq", "hypervisor", "arat"])
        #expect(image.cpuDifference.removed.isEmpty)
        #expect(image.cpuDifference.summary == "+pclmuldq +hypervisor +arat")
        #expect(image.cookie?.otherElementNames == ["slirpHelper"])
    }

    @Test func hostModelCookieHasNoCPU() throws {
        let image = try SaveImage(contentsOf: Fixtures.path("hostmodel-raw.sav"))
        #expect(image.cookieDocument != nil)
        #expect(image.cookie != nil)
        #expect(image.cookie?.cpu == nil)
        // libvirt expands host-model into a custom CPU in the domain XML.
        #expect(image.domain.cpu?.mode == "custom")
        #expect(image.domain.cpu?.model == "EPYC")
        #expect(image.domain.cpu?.vendor == "AMD")
        #expect(image.cookie?.otherElementNames == ["slirpHelper"])
    }

    @Test func usernetCookieHasNoSlirpHelper() throws {
        let image = try SaveImage(contentsOf: Fixtures.path("usernet-raw.sav"))
        #expect(image.cookie?.otherElementNames.contains("slirpHelper") == false)
    }

    @Test(arguments: [("qemu64-gzip.sav", StreamSignature.gzip), ("qemu64-xz.sav", .xz),
                      ("qemu64-raw-running.sav", .qemu(version: 3))])
    func streamSignatureMatchesFormat(_ name: String, _ signature: StreamSignature) throws {
        let image = try SaveImage(contentsOf: Fixtures.path(name))
        #expect(image.streamSignature == signature)
        #expect(image.streamSignature.impliedFormat == image.header.format)
    }

    /// Reading then writing an unchanged image gives the same bytes.
    @Test(arguments: Fixtures.libvirt90Images)
    func roundTripIsByteIdentical(_ name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let image = try SaveImage(contentsOf: Fixtures.path(name))
        let written = image.header.serialized() + image.region.serialized()
        #expect(written == Array(bytes[0..<Int(image.streamOffset)]))
    }
}
