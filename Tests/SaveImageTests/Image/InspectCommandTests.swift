import Foundation
import Testing
@testable import SaveImage

/// `saveimg inspect` and `saveimg dumpxml`, run as a user runs them.
@Suite struct InspectCommandTests {
    @Test func inspectShowsCPUsAndLayout() throws {
        let result = try CLI.run(["inspect", Fixtures.path("westmere-raw.sav")])
        #expect(result.status == 0)
        #expect(result.output.contains("cpu (cookie)  custom/exact/full Westmere +pclmuldq +hypervisor +arat"))
        #expect(result.output.contains("cpu added     +pclmuldq +hypervisor +arat"))
        #expect(result.output.contains("1126        283         cookie"))
        #expect(result.output.contains("66945       523811      stream"))
        #expect(result.output.contains("machine pc-i440fx-7.2"))
    }

    /// `inspect FILE...` and `inspect --json FILE...` skip ArgumentParser (start-up); any
    /// other option takes the parsed path. Both must print the same, byte for byte.
    @Test(arguments: [[], ["--json"]])
    func fastPathMatchesTheParsedCommand(flags: [String]) throws {
        let files = [Fixtures.path("westmere-raw.sav"), Fixtures.path("qemu64-gzip.sav")]
        let fast = try CLI.run(["inspect"] + flags + files)
        // `--` changes nothing here but sends the command through ArgumentParser.
        let parsed = try CLI.run(["inspect"] + flags + ["--"] + files)
        #expect(fast.status == 0 && parsed.status == 0)
        #expect(String(decoding: fast.stdout, as: UTF8.self) == String(decoding: parsed.stdout, as: UTF8.self))
        #expect(fast.stderr == parsed.stderr)
        #expect(!fast.stdout.isEmpty)
    }

    @Test func inspectJSONHasDocumentedKeys() throws {
        let result = try CLI.run(["inspect", "--json", Fixtures.path("qemu64-gzip.sav")])
        #expect(result.status == 0)
        let object = try #require(try JSONSchema.validate(result, "inspect").first)
        let header = try #require(object["header"] as? [String: Any])
        #expect(header["data_len"] as? Int == 66802)
        #expect(header["cookie_offset"] as? Int == 1030)
        #expect(header["format_name"] as? String == "gzip")
        #expect(header["byte_order"] as? String == "little")
        let difference = try #require(object["cpu_difference"] as? [String: Any])
        let added = try #require(difference["added"] as? [[String: Any]])
        #expect(added.compactMap { $0["name"] as? String } == ["hypervisor", "lahf_lm"])
        let stream = try #require(object["stream"] as? [String: Any])
        #expect(stream["kind"] as? String == "gzip")
        #expect(stream["machine_type"] as? String == "pc-i440fx-7.2")
        #expect((object["layout"] as? [[String: Any]])?.map { $0["name"] as? String } ==
                ["header", "domain_xml", "cookie", "padding", "stream"])
        #expect(object["valid"] as? Bool == true)
    }

    /// inspect's verdict is verify's for the same target: a raw image cut inside the stream is restore_fails in both.
    @Test func inspectVerdictIsVerifysVerdict() throws {
        let directory = try TemporaryDirectory()
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: Fixtures.path("qemu64-raw-running.sav"))))
        bytes.removeLast(bytes.count - 300_000)
        let path = try directory.write("cut.sav", bytes)
        for target in [[], ["--target-libvirt", "11.3"]] {
            let inspect = try CLI.run(["inspect", "--json"] + target + [path])
            let verify = try CLI.run(["verify", "--json"] + target + [path])
            #expect(inspect.output.contains("\"verdict\":\"restore_fails\""), "\(inspect.output)")
            #expect(verify.output.contains("\"verdict\":\"restore_fails\""), "\(verify.output)")
            #expect(inspect.output.contains("stream_truncated"))
        }
    }

    @Test func oneBadFileDoesNotStopTheOthers() throws {
        let broken = try ModifiedImage("westmere-raw.sav") { $0.setWord(0, at: 20) }
        let result = try CLI.run(["inspect", "--json", Fixtures.path("nocpu-raw.sav"), broken.path,
                                  Fixtures.path("westmere-raw.sav")])
        #expect(result.status == 2)
        let array = try JSONSchema.validate(result, "inspect")
        #expect(array.count == 3)
        #expect(array.map { $0["valid"] as? Bool } == [true, false, true])
        #expect(array.map { $0["file"] as? String } == [Fixtures.path("nocpu-raw.sav"), broken.path,
                                                       Fixtures.path("westmere-raw.sav")])
        #expect(array[1]["verdict"] as? String == "invalid")
        let error = try #require(array[1]["error"] as? [String: Any])
        #expect(error["code"] as? String == "invalid_data_length")
        #expect(error["offset"] as? Int == 20)
        #expect(error["libvirt_message"] as? String == "invalid header data length: 0")
    }

    @Test func inspectErrorNamesFileFieldAndOffset() throws {
        let broken = try ModifiedImage("westmere-raw.sav") { $0.replaceSubrange(0..<16, with: Array("LibvirtQemudPart".utf8)) }
        let result = try CLI.run(["inspect", broken.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(broken.path))
        #expect(result.stderr.contains("offset 0: magic: expected LibvirtQemudSave"))
        #expect(result.stderr.contains("save image is incomplete"))
    }

    @Test func usageErrorExitsWithOne() throws {
        #expect(try CLI.run(["inspect"]).status == 1)
        #expect(try CLI.run(["dumpxml", "--cookie", "--all", "x"]).status == 1)
    }

    @Test(arguments: Fixtures.libvirt90Images)
    func dumpxmlPrintsStoredBytes(_ name: String) throws {
        let bytes = try Fixtures.bytes(name)
        let layout = FixtureLayout(bytes)
        let xml = try CLI.run(["dumpxml", Fixtures.path(name)])
        #expect(xml.status == 0)
        #expect(xml.stdout == Array(bytes[92..<(92 + layout.xmlLength)]))
        let cookie = try CLI.run(["dumpxml", "--cookie", Fixtures.path(name)])
        #expect(cookie.stdout == Array(bytes[layout.cookieStart..<(layout.cookieStart + layout.cookieLength)]))
        let all = try CLI.run(["dumpxml", "--all", "-0", Fixtures.path(name)])
        #expect(all.stdout == Array(bytes[92..<layout.chainEnd]))
    }

    @Test func dumpxmlExtensionByIndex() throws {
        let image = try ModifiedImage("westmere-raw.sav") { LibvirtReadingTableTests.extraDocuments(&$0) }
        #expect(try CLI.run(["dumpxml", "--extension", "2", image.path]).output == "<second-ext>text</second-ext>")
        let missing = try CLI.run(["dumpxml", "--extension", "3", image.path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no extension 3; the image has 2"))
    }
}
