import Foundation
import Testing
@testable import SaveImage

/// Every command's `--json` output, on real images, against the schema in
/// schema/saveimg-output.schema.json: JSON Lines (one object per input file,
/// whatever the number of files), `file` for the input, `findings` for
/// problems, the one severity scale, extension indexes from 1.
@Suite struct JSONOutputSchemaTests {
    static let domcaps = Fixtures.testdata + "/capabilities/lab-libvirt-9.0-domcapabilities.xml"
    static var images: [String] { Fixtures.libvirt90Images.map(Fixtures.path) }

    @Test func inspectIsOneLinePerFileWhateverTheCount() throws {
        let broken = try ModifiedImage("westmere-raw.sav") { $0.setWord(0, at: 20) }
        let one = try JSONSchema.validate(try CLI.run(["inspect", "--json", Self.images[0]]), "inspect")
        #expect(one.count == 1)
        let files = Self.images + [broken.path, "/nonexistent-saveimg-file"]
        let run = try CLI.run(["inspect", "--json"] + files)
        #expect(run.status == 2)
        let lines = try JSONSchema.validate(run, "inspect")
        #expect(lines.map { $0["file"] as? String } == files)
        #expect(lines.suffix(2).map { $0["verdict"] as? String } == ["invalid", "unreadable"])
        // The error is on standard error too, for the person reading the terminal.
        #expect(run.stderr.contains("\(broken.path): offset 20: data_len"))
    }

    @Test func inspectExtensionIndexesCountFromOneAsExtShowDoes() throws {
        let image = try ModifiedImage("westmere-raw.sav")
        let note = try image.directory.write("note.xml", Array("<note>one</note>".utf8))
        #expect(try CLI.run(["ext", "add", image.path, note]).status == 0)
        let inspect = try #require(try JSONSchema.validate(try CLI.run(["inspect", "--json", image.path]), "inspect").first)
        let extensions = try #require(inspect["extensions"] as? [[String: Any]])
        #expect(extensions.map { $0["index"] as? Int } == [1])
        let layout = try #require(inspect["layout"] as? [[String: Any]])
        #expect(layout.contains { $0["name"] as? String == "extension_1" })
        let list = try JSONSchema.validate(try CLI.run(["ext", "list", "--json", image.path]), "ext_list")
        let listed = try #require(list.first?["extensions"] as? [[String: Any]])
        #expect(listed.map { $0["index"] as? Int } == [1])
        #expect(listed.first?["offset"] as? Int == extensions.first?["offset"] as? Int)
        let show = try JSONSchema.validate(try CLI.run(["ext", "show", "--json", image.path, "1"]), "ext_show")
        let shown = try #require(show.first?["extension"] as? [String: Any])
        #expect(shown["text"] as? String == "<note>one</note>")
        #expect(shown["index"] as? Int == 1)
        #expect(try CLI.run(["dumpxml", "--extension", "1", image.path]).output == "<note>one</note>")
        let missing = try CLI.run(["ext", "show", "--json", image.path, "2"])
        #expect(missing.status == 2)
        let error = try #require(try JSONSchema.validate(missing, "ext_show").first?["error"] as? [String: Any])
        #expect(error["code"] as? String == "no_such_document")
    }

    @Test func checkShallowAndDeep() throws {
        let broken = try ModifiedImage("westmere-raw.sav") { $0.setWord(0, at: 20) }
        let shallow = try CLI.run(["check", "--json", Self.images[0], broken.path])
        #expect(shallow.status == 2)
        let lines = try JSONSchema.validate(shallow, "check")
        #expect(lines.map { $0["ok"] as? Bool } == [true, false])
        let deep = try CLI.run(["check", "--deep", "--json", Fixtures.path("westmere-raw.sav"), Fixtures.path("qemu64-gzip.sav")])
        #expect(deep.status == 0, "\(deep.stderr)")
        let reports = try JSONSchema.validate(deep, "check")
        #expect(reports.map { $0["deep"] as? Bool } == [true, true])
        #expect(reports.allSatisfy { ($0["stream_sha256"] as? String)?.count == 64 })
    }

    @Test func verifyTargetIsStructured() throws {
        let run = try CLI.run(["verify", "--json", "--domcapabilities", Self.domcaps, "--xml", Fixtures.path("domain-westmere.xml"),
                               Fixtures.path("qemu64-raw-running.sav"), Fixtures.path("westmere-raw.sav")])
        let lines = try JSONSchema.validate(run, "verify")
        #expect(lines.count == 2)
        let target = try #require(lines.first?["target"] as? [String: Any])
        #expect(target["libvirt_version"] as? String == "9.0.0")
        #expect(target["basis"] as? String == "measured")
        let host = try #require(target["host"] as? [String: Any])
        #expect(host["kind"] as? String == "domcapabilities")
        #expect(host["source"] as? String == Self.domcaps)
        #expect(target["replacement_xml"] as? String == Fixtures.path("domain-westmere.xml"))
        #expect(lines.first?["verdict"] as? String == "restore_fails")

        let broken = try ModifiedImage("westmere-raw.sav") { $0.setWord(0, at: 20) }
        let invalid = try CLI.run(["verify", "--json", "--no-host", broken.path])
        #expect(invalid.status == 2)
        let line = try #require(try JSONSchema.validate(invalid, "verify").first)
        #expect(line["verdict"] as? String == "invalid")
        #expect((line["error"] as? [String: Any])?["code"] as? String == "invalid_data_length")
        #expect((line["target"] as? [String: Any])?["host"] == nil)
        let missing = try CLI.run(["verify", "--json", "--no-host", broken.directory.path + "/missing.sav"])
        #expect(missing.status == 2)
        #expect(try JSONSchema.validate(missing, "verify").first?["verdict"] as? String == "unreadable")
    }

    @Test func scanLinesAndSummary() throws {
        let fleet = try ScanFleet()
        let run = try CLI.run(["scan", "--json", fleet.root, Fixtures.testdata + "/libvirt-9.0"])
        let lines = try JSONSchema.validate(run, "scan")
        #expect(lines.last?["type"] as? String == "summary")
        #expect(lines.dropLast().allSatisfy { $0["type"] as? String == "image" && $0["findings"] is [Any] })
    }

    @Test func editsPrintWhatChanged() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        // set-state: one header word, in place.
        let paused = try JSONSchema.validate(try CLI.run(["set-state", "--json", "--paused", image.path]), "edit")
        let edit = try #require(paused.first)
        #expect(edit["strategy"] as? String == "in-place")
        #expect(edit["changed"] as? Bool == true)
        #expect((edit["old"] as? [String: Any])?["was_running"] as? Int == 1)
        #expect((edit["new"] as? [String: Any])?["was_running"] as? Int == 0)
        #expect(try image.read().header.wasRunning == 0)
        let again = try #require(try JSONSchema.validate(try CLI.run(["set-state", "--json", "--paused", image.path]), "edit").first)
        #expect(again["changed"] as? Bool == false)

        // add-cpu-ext, dry run: nothing written.
        let cpu = try image.directory.write("cpu.xml", Array(EditCommandLineTests.updatedCPU.utf8))
        let before = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path)))
        let dry = try #require(try JSONSchema.validate(try CLI.run(["add-cpu-ext", "--json", "--dry-run", image.path, "--cpu", cpu]), "edit").first)
        #expect(dry["dry_run"] as? Bool == true)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path))) == before)

        // ext add / remove, in place, with the region writes at absolute offsets.
        let note = try image.directory.write("note.xml", Array("<note>n</note>".utf8))
        let added = try #require(try JSONSchema.validate(try CLI.run(["ext", "add", "--json", image.path, note]), "edit").first)
        #expect((added["new"] as? [String: Any])?["extension_count"] as? Int == 1)
        let writes = try #require(added["region_writes"] as? [[String: Any]])
        let chainWrite = try #require(writes.first { $0["kind"] as? String == "chain" })
        let edited = try image.read()
        #expect(chainWrite["offset"] as? Int == Int(edited.header.cookieOffset) + 92)
        let removed = try #require(try JSONSchema.validate(try CLI.run(["ext", "remove", "--json", image.path, "1"]), "edit").first)
        #expect((removed["new"] as? [String: Any])?["extension_count"] as? Int == 0)

        // define with a longer XML: a rewrite that copies the stream.
        let xml = String(decoding: try image.read().region.domainXML.bytes, as: UTF8.self)
        let longer = xml.replacingOccurrences(of: "</name>", with: "</name>\n  <description>\(String(repeating: "d", count: 300))</description>")
        let newXML = try image.directory.write("new.xml", Array(longer.utf8))
        let output = image.directory.path + "/defined.sav"
        let defined = try #require(try JSONSchema.validate(try CLI.run(["define", "--json", image.path, newXML, "--output", output]), "edit").first)
        #expect(defined["output"] as? String == output)
        #expect(["rewrite", "grow"].contains(defined["strategy"] as? String))
        let copied = try #require(defined["copied"] as? [String: Any])
        #expect(copied["data_bytes"] as? Int == Int(try image.read().streamLength))

        // A refused edit: the error line, exit 2, the file untouched.
        let kept = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path)))
        let refused = try CLI.run(["ext", "remove", "--json", image.path, "3"])
        #expect(refused.status == 2)
        let error = try #require(try JSONSchema.validate(refused, "edit").first)
        #expect(error["file"] as? String == image.path)
        #expect((error["error"] as? [String: Any])?["code"] as? String == "edit_rejected")
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path))) == kept)
        // An input file that cannot be read: the same error line.
        let unreadable = try CLI.run(["add-cpu-ext", "--json", image.path, "--cpu", "/nonexistent-saveimg-cpu.xml"])
        #expect(unreadable.status == 2)
        let failure = try #require(try JSONSchema.validate(unreadable, "edit").first?["error"] as? [String: Any])
        #expect(failure["code"] as? String == "input_unreadable")
        #expect(failure["path"] as? String == "/nonexistent-saveimg-cpu.xml")
        #expect(unreadable.stderr.contains("saveimg add-cpu-ext: /nonexistent-saveimg-cpu.xml: file: expected a readable file, found open failed: No such file or directory (errno 2)"))
    }

    @Test func convertAndSeal() throws {
        let image = try ModifiedImage("qemu64-raw-running.sav")
        let output = image.directory.path + "/out.sav"
        let converted = try JSONSchema.validate(try CLI.run(["convert", "--json", image.path, output, "--format", "gzip"]), "convert")
        #expect(converted.first?["file"] as? String == image.path)
        let bad = try CLI.run(["convert", "--json", image.directory.path + "/missing.sav", output + "2", "--format", "gzip"])
        #expect(bad.status == 2)
        try JSONSchema.validate(bad, "convert")

        let sealed = try #require(try JSONSchema.validate(try CLI.run(["seal", "--json", output]), "seal").first)
        #expect(sealed["already_sealed"] as? Bool == false)
        let deep = try #require(try JSONLines.objects(try CLI.run(["check", "--deep", "--json", output])).first)
        #expect(sealed["digest"] as? String == "guest-state-v1")
        #expect(sealed["state_sha256"] as? String == deep["state_sha256"] as? String)
        #expect((deep["seal"] as? [String: Any])?["extension_index"] as? Int == 1)
        #expect(deep["seal_matches"] as? Bool == true)
        let edit = try #require(sealed["edit"] as? [String: Any])
        #expect(edit["strategy"] as? String == "in-place")
        let again = try #require(try JSONSchema.validate(try CLI.run(["seal", "--json", output]), "seal").first)
        #expect(again["already_sealed"] as? Bool == true)
        #expect(again["edit"] == nil)
    }

    @Test func diffCPU() throws {
        let run = try CLI.run(["diff-cpu", "--json"] + Self.images)
        let lines = try JSONSchema.validate(run, "diff_cpu")
        #expect(lines.count == Self.images.count)
        let westmere = try #require(lines.first { ($0["file"] as? String)?.hasSuffix("westmere-raw.sav") == true })
        #expect(westmere["same"] as? Bool == false)
        let hunks = try #require(westmere["hunks"] as? [[String: Any]])
        let added = hunks.flatMap { ($0["lines"] as? [[String: Any]]) ?? [] }.filter { $0["kind"] as? String == "added" }
        #expect(added.contains { ($0["text"] as? String)?.contains("pclmuldq") == true })
        let hostmodel = try #require(lines.first { ($0["file"] as? String)?.hasSuffix("hostmodel-raw.sav") == true })
        #expect(hostmodel["cookie_has_cpu"] as? Bool == false)
    }

    /// The schema itself: every $defs entry a command uses exists, and a line
    /// with an unknown key or a wrong severity is refused (the tests above
    /// could not fail otherwise).
    @Test func schemaRefusesUndocumentedKeys() throws {
        let good = try CLI.run(["inspect", "--json", Self.images[0]])
        try JSONSchema.validate(good, "inspect")
        var object = try JSONLines.object(good)
        object["undocumented"] = 1
        let extra = Array(try JSONSerialization.data(withJSONObject: object)) + [10]
        let check = try TestProcess.run(["/usr/bin/env", "python3", JSONSchema.validator, JSONSchema.schema, "inspect"],
                                        stdin: extra)
        #expect(check.status == 1)
        #expect(String(decoding: check.stderr, as: UTF8.self).contains("undocumented"))
        object["undocumented"] = nil
        object["verdict"] = "fine"
        let wrong = Array(try JSONSerialization.data(withJSONObject: object)) + [10]
        #expect(try TestProcess.run(["/usr/bin/env", "python3", JSONSchema.validator, JSONSchema.schema, "inspect"],
                                    stdin: wrong).status == 1)
    }
}
