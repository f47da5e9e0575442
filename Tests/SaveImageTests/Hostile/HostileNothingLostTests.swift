import Foundation
import Testing
@testable import SaveImage

/// Nothing lost by a successful command: convert does not replace an
/// unrelated file, the 2017 repair refuses when there is nothing to repair
/// (it would replace the cookie's updated CPU), and every edit says what it replaces.
@Suite("Hostile: nothing lost by a successful command")
struct HostileNothingLostTests {
    @Test("convert refuses an existing unrelated OUT; --overwrite replaces it (and the hidden old spelling --force still does); OUT may be IN under another name")
    func convertRefusesExistingOutput() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.write("vm.sav", try Fixtures.bytes("qemu64-raw-running.sav"))
        let precious = try directory.write("precious.txt", Array("my thesis\n".utf8))
        let before = try FileSnapshot(precious)
        let inputBefore = try FileSnapshot(input)
        let refused = try Hostile.saveimg(["convert", input, precious, "--format", "gzip"])
        #expect(refused.status == 2, "\(refused.output)")
        #expect(refused.stderr.contains("precious.txt") && refused.stderr.contains("--overwrite"), "\(refused.stderr)")
        #expect(try FileSnapshot(precious) == before)
        #expect(try FileSnapshot(input) == inputBefore)
        #expect(leftoverTemporaries(beside: precious).isEmpty)

        let forced = try Hostile.saveimg(["convert", input, precious, "--format", "gzip", "--overwrite"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try SaveImage(contentsOf: precious).header.format == .gzip)
        let legacy = try Hostile.saveimg(["convert", input, precious, "--format", "raw", "--force"])
        #expect(legacy.status == 0, "\(legacy.stderr)")
        #expect(try SaveImage(contentsOf: precious).header.format == .raw)

        // The same file under another name is IN: converted in place, no --overwrite needed.
        let alias = directory.path + "/./vm.sav"
        let inPlace = try Hostile.saveimg(["convert", input, alias, "--format", "gzip"])
        #expect(inPlace.status == 0, "\(inPlace.stderr)")
        #expect(try SaveImage(contentsOf: input).header.format == .gzip)
        // A new OUT needs nothing either.
        let fresh = try Hostile.saveimg(["convert", input, directory.path + "/new.sav", "--format", "raw"])
        #expect(fresh.status == 0, "\(fresh.stderr)")
    }

    static let definedCPU = "<cpu mode='custom' match='exact' check='partial'>\n  <model fallback='forbid'>Westmere</model>\n</cpu>\n"

    @Test("add-cpu-ext --from-domain refuses when the domain XML already holds the defined CPU")
    func repairRefusesWhenNothingToRepair() throws {
        let directory = try TemporaryDirectory()
        // A libvirt 9.0 image: the domain XML holds the defined CPU, the cookie the updated one (3 features).
        let image = try directory.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
        let original = try directory.write("orig.xml", Array(Self.definedCPU.utf8))
        let before = try FileSnapshot(image)
        let run = try Hostile.saveimg(["add-cpu-ext", image, "--from-domain", "--original-cpu", original])
        #expect(run.status == 2, "\(run.output)")
        #expect(run.stderr.contains("nothing to repair"), "\(run.stderr)")
        #expect(run.stderr.contains("model Westmere, 3 features"), "names the cookie CPU it would replace: \(run.stderr)")
        #expect(try FileSnapshot(image) == before)
        #expect(try SaveImage(contentsOf: image).cookie?.cpu?.features.count == 3)
    }

    @Test("the repair refuses to drop cookie CPU features the domain XML's CPU lacks")
    func repairRefusesToDropCookieFeatures() throws {
        let directory = try TemporaryDirectory()
        // The domain XML holds an updated CPU with one feature; the cookie has three.
        let xml = try VerifyLab.documents("westmere-raw.sav").xml
        let oneFeature = VerifyLab.cpu("Westmere", ["pclmuldq"])
        let path = try VerifyLab.image("westmere-raw.sav", xml: VerifyLab.replacingCPU(in: xml, with: oneFeature), cookie: nil,
                                       at: directory)
        let original = try directory.write("orig.xml", Array(Self.definedCPU.utf8))
        let before = try FileSnapshot(path)
        let run = try Hostile.saveimg(["add-cpu-ext", path, "--from-domain", "--original-cpu", original])
        #expect(run.status == 2, "\(run.output)")
        #expect(run.stderr.contains("hypervisor, arat") && run.stderr.contains("would drop them"), "\(run.stderr)")
        #expect(try FileSnapshot(path) == before)
        let forced = try Hostile.saveimg(["add-cpu-ext", path, "--from-domain", "--original-cpu", original, "--allow-model-change"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("replaces: the cookie's <cpu> (model Westmere, 3 features) with <cpu> (model Westmere, 1 feature)"),
                "\(forced.stdout)")
    }

    @Test("every edit's output says which CPU or document it replaces")
    func editsSayWhatTheyReplace() throws {
        let directory = try TemporaryDirectory()
        let image = try directory.write("vm.sav", try Fixtures.bytes("westmere-raw.sav"))
        let cpu = try directory.write("cpu.xml", EditFixtures.cpuXML(model: "Westmere", features: ["pclmuldq", "hypervisor", "arat", "x2apic"]))
        let addCPU = try Hostile.saveimg(["add-cpu-ext", image, "--cpu", cpu])
        #expect(addCPU.status == 0, "\(addCPU.stderr)")
        #expect(addCPU.stdout.contains("replaces: the cookie's <cpu> (model Westmere, 3 features) with <cpu> (model Westmere, 4 features)"),
                "\(addCPU.stdout)")

        let note = try directory.write("note.xml", Array("<note xmlns='urn:example:saveimg'>kept</note>".utf8))
        let add = try Hostile.saveimg(["ext", "add", image, note])
        #expect(add.status == 0 && add.stdout.contains("adds: extension 1 (<note>)"), "\(add.output)")
        let remove = try Hostile.saveimg(["ext", "remove", image, "1"])
        #expect(remove.status == 0 && remove.stdout.contains("removes: extension 1 (<note>)"), "\(remove.output)")

        let state = try Hostile.saveimg(["set-state", image, "--paused"])
        #expect(state.status == 0 && state.stdout.contains("changes: the guest stays paused after restore"), "\(state.output)")

        let xml = try VerifyLab.documents("westmere-raw.sav").xml
        let described = xml.replacingOccurrences(of: "</name>", with: "</name>\n  <description>d</description>")
        let newXML = try directory.write("new.xml", Array(described.utf8))
        let define = try Hostile.saveimg(["define", image, newXML])
        #expect(define.status == 0, "\(define.stderr)")
        #expect(define.stdout.contains("replaces: domain XML (\(xml.utf8.count) bytes) with \(described.utf8.count) bytes"), "\(define.stdout)")
    }
}
