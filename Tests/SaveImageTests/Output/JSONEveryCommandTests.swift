import Foundation
import Testing
@testable import SaveImage

/// Every command that has `--json`, on its success path and on each error
/// path a script meets (a missing file, a file that is not a save image, an
/// image cut short, a usage error), prints JSON Lines valid against its
/// `$defs` entry of schema/saveimg-output.schema.json: a script that reads
/// one command's lines can read every command's. Errors also read
/// `saveimg SUBCOMMAND: FILE: ...` on standard error.
@Suite struct JSONEveryCommandTests {
    /// One invocation: the schema definition its lines must match and the exit codes it may end with.
    struct Case: CustomStringConvertible {
        var definition: String
        var arguments: [String]
        var statuses: Set<Int32>
        /// An error path: every line is an error line and standard error names the command and the file.
        var failing = false
        var environment: [String: String] = [:]
        var description: String { arguments.joined(separator: " ") }
    }

    /// The files every case uses, in one temporary directory.
    struct Files {
        let directory: TemporaryDirectory
        let good: String, missing: String, text: String, shortHeader: String, cutInStream: String
        let gzip: String, qemu64: String, cpu: String, note: String, xml: String, folder: String

        init() throws {
            directory = try TemporaryDirectory()
            let westmere = try Fixtures.bytes("westmere-raw.sav")
            good = try directory.write("good.sav", westmere)
            missing = directory.path + "/missing.sav"
            text = try directory.write("notes.txt", Array("not a save image\n".utf8))
            shortHeader = try directory.write("short.sav", Array(westmere.prefix(50)))
            let running = try Fixtures.bytes("qemu64-raw-running.sav")
            cutInStream = try directory.write("cut.sav", Array(running.prefix(300_000)))
            qemu64 = try directory.write("qemu64.sav", running)
            gzip = try directory.write("gzip.sav", try Fixtures.bytes("qemu64-gzip.sav"))
            cpu = try directory.write("cpu.xml", Array(EditCommandLineTests.updatedCPU.utf8))
            note = try directory.write("note.xml", Array("<note>n</note>".utf8))
            let domain = try SaveImage(contentsOf: good).region.domainXML.bytes
            xml = try directory.write("same.xml", domain)
            folder = directory.path + "/folder"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
    }

    static func cases(_ f: Files) -> [Case] {
        let broken = [f.missing, f.text, f.shortHeader]
        var cases: [Case] = []
        func add(_ definition: String, _ arguments: [String], _ statuses: Set<Int32>, failing: Bool = false,
                 environment: [String: String] = [:]) {
            cases.append(Case(definition: definition, arguments: arguments, statuses: statuses, failing: failing,
                              environment: environment))
        }
        // Commands reading several files: good and broken files together, then each broken one alone.
        add("inspect", ["inspect", "--json", f.good, f.cutInStream] + broken, [2])
        add("check", ["check", "--json", f.good, f.cutInStream] + broken, [2])
        add("check", ["check", "--deep", "--json", f.good, f.gzip, f.cutInStream] + broken, [2])
        add("verify", ["verify", "--json", "--no-host", f.good, f.cutInStream] + broken, [2])
        add("diff_cpu", ["diff-cpu", "--json", f.good, Fixtures.path("hostmodel-raw.sav")] + broken, [2])
        add("scan", ["scan", "--json", "--no-host", f.directory.path, f.missing], [2, 3])
        for file in broken {
            for command in [["inspect"], ["check"], ["check", "--deep"], ["diff-cpu"], ["verify", "--no-host"]] {
                let definition = command[0] == "diff-cpu" ? "diff_cpu" : command[0]
                add(definition, command + ["--json", file], [2], failing: true)
            }
            add("ext_list", ["ext", "list", "--json", file], [2], failing: true)
            add("ext_show", ["ext", "show", "--json", file, "1"], [2], failing: true)
            add("edit", ["ext", "remove", "--json", file, "1"], [2], failing: true)
            add("edit", ["set-state", "--json", "--paused", file], [2], failing: true)
            add("edit", ["define", "--json", "--dry-run", file, f.xml], [2], failing: true)
            add("edit", ["add-cpu-ext", "--json", "--dry-run", file, "--cpu", f.cpu], [2], failing: true)
            add("edit", ["edit", "--json", file], [2], failing: true, environment: ["EDITOR": "true", "VISUAL": ""])
            add("convert", ["convert", "--json", file, f.directory.path + "/never.sav", "--format", "gzip"], [2], failing: true)
            add("seal", ["seal", "--json", file], [2], failing: true)
            add("export_memory", ["export-memory", "--json", file, f.directory.path + "/never.elf"], [2], failing: true)
        }
        add("recover", ["recover", "--json", f.missing], [2], failing: true)
        add("ext_show", ["ext", "show", "--json", f.good, "9"], [2], failing: true)
        add("edit", ["ext", "add", "--json", f.good, f.text], [2], failing: true)
        add("edit", ["set-state", "--json", "--paused", f.good, "--output", f.folder], [2], failing: true)
        add("convert", ["convert", "--json", f.good, f.folder, "--format", "gzip"], [2], failing: true)
        add("export_memory", ["export-memory", "--json", f.good, f.folder], [2], failing: true)
        // Success paths (in this order: each edit leaves the image as the next expects).
        add("ext_list", ["ext", "list", "--json", f.good], [0])
        add("edit", ["ext", "add", "--json", f.good, f.note], [0])
        add("ext_show", ["ext", "show", "--json", f.good, "1"], [0])
        add("edit", ["ext", "remove", "--json", f.good, "1"], [0])
        add("edit", ["set-state", "--json", "--paused", f.good], [0])
        add("edit", ["define", "--json", "--dry-run", f.good, f.xml], [0])
        add("edit", ["add-cpu-ext", "--json", "--dry-run", f.qemu64, "--cpu", f.cpu], [0])
        add("edit", ["edit", "--json", f.good], [0], environment: ["EDITOR": "true", "VISUAL": ""])
        add("convert", ["convert", "--json", f.good, f.directory.path + "/out.sav", "--format", "gzip"], [0])
        add("seal", ["seal", "--json", f.directory.path + "/out.sav"], [0])
        add("check", ["check", "--deep", "--json", f.directory.path + "/out.sav"], [0])
        add("export_memory", ["export-memory", "--json", f.good, f.directory.path + "/memory.elf"], [0])
        add("recover", ["recover", "--json", f.good], [0])
        return cases
    }

    @Test func everyCommandEveryPathMatchesTheSchema() throws {
        let files = try Files()
        for item in Self.cases(files) {
            let run = try CLI.run(item.arguments, environment: item.environment)
            #expect(item.statuses.contains(run.status), "\(item): exit \(run.status)\n\(run.stderr)")
            let lines = try JSONSchema.validate(run, item.definition)
            #expect(!lines.isEmpty, "\(item): no JSON line")
            if item.failing {
                #expect(lines.allSatisfy { $0["error"] is [String: Any] }, "\(item): \(run.output)")
                // One message style: `saveimg SUBCOMMAND: FILE: ...` (nested: `saveimg ext show: ...`).
                let words = item.arguments.prefix { !$0.hasPrefix("-") && !$0.hasPrefix("/") }.joined(separator: " ")
                #expect(run.stderr.hasPrefix("saveimg \(words): /"), "\(item): \(run.stderr)")
                #expect(!run.stderr.contains("DecodingError"))
            }
        }
    }

    /// A malformed domain XML: libxml2's first error at its own offset, in
    /// the words of the target's libvirt (measured on the four labs by
    /// scripts/lab/xml-error-messages.sh: 7.0 and 9.0 `(domain_definition):N:`,
    /// 11.3 and 12.8 `at line N:`).
    @Test func malformedDomainXMLQuotesTheTargetsLibvirt() throws {
        let image = try ModifiedImage("westmere-raw.sav") { $0.replaceSubrange(202..<206, with: Array("ZZZZ".utf8)) }
        for (target, message) in [("9.0", "(domain_definition):4: error parsing attribute name"),
                                  ("11.3", "at line 4: error parsing attribute name")] {
            let run = try CLI.run(["verify", "--json", "--target-libvirt", target, image.path])
            #expect(run.status == 2)
            let line = try #require(try JSONSchema.validate(run, "verify").first)
            let error = try #require(line["error"] as? [String: Any])
            #expect(error["libvirt_message"] as? String == message, "\(target)")
            #expect(error["offset"] as? Int == 210)
            #expect((line["findings"] as? [[String: Any]])?.first?["libvirt_message"] as? String == message)
        }
    }

    /// `target capture` always prints JSON (no `--json` flag) and needs a
    /// libvirt or QEMU on the machine: the lab captures it wrote (one line
    /// each) are checked instead, so the answer does not depend on this host.
    @Test func targetCapturesMatchTheSchema() throws {
        let directory = Fixtures.testdata + "/targets"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        #expect(names.count >= 4)
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
            let line = bytes.last == 10 ? bytes : bytes + [10]
            try JSONSchema.validate(CLI.Result(status: 0, stdout: line, stderr: ""), "target_capture")
        }
    }

    /// retarget's line is the retarget helper's (issue 25): checked here once the schema has it.
    @Test func retargetMatchesTheSchemaOnceItHasADefinition() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: JSONSchema.schema))) as? [String: Any]
        guard let definitions = schema?["$defs"] as? [String: Any], definitions["retarget"] != nil else { return }
        let files = try Files()
        let run = try CLI.run(["retarget", "--json", "--dry-run", files.good, "--target-libvirt", "9.0"])
        try JSONSchema.validate(run, "retarget")
        let missing = try CLI.run(["retarget", "--json", "--dry-run", files.missing, "--target-libvirt", "9.0"])
        #expect(missing.status == 2)
        try JSONSchema.validate(missing, "retarget")
    }

    /// A usage error prints no JSON at all (nothing half-written on standard
    /// output) and exits 1, naming the command.
    @Test func usageErrorsPrintNoJSON() throws {
        let files = try Files()
        for arguments in [["inspect", "--json", "--bogus", files.good], ["check", "--json", "--deep", "--bogus"],
                          ["ext", "show", "--json", files.good], ["convert", "--json", files.good],
                          ["scan", "--json", "--color", "purple", files.directory.path]] {
            let run = try CLI.run(arguments)
            #expect(run.status == 1, "\(arguments): \(run.status)")
            #expect(run.stdout.isEmpty, "\(arguments): \(run.output)")
            #expect(run.stderr.hasPrefix("saveimg \(arguments[0])"), "\(arguments): \(run.stderr)")
        }
    }

    /// The glossary: every key of every command's line has a description,
    /// and the glossary names the keys the schema uses (no term explained
    /// twice differently in the README and the schema, see README tests).
    @Test func everyKeyIsDescribed() throws {
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: JSONSchema.schema))) as? [String: Any])
        let glossary = try #require(schema["x-glossary"] as? [String: String])
        #expect(schema["x-json-version"] as? Int == 2)
        var undescribed: [String] = []
        var names: Set<String> = []
        func walk(_ node: Any, _ path: String) {
            if let object = node as? [String: Any] {
                if let properties = object["properties"] as? [String: Any] {
                    for (key, value) in properties {
                        names.insert(key)
                        if (value as? [String: Any])?["description"] == nil { undescribed.append(path + "." + key) }
                    }
                }
                for (key, value) in object where key != "x-glossary" { walk(value, path + "/" + key) }
            } else if let array = node as? [Any] {
                for value in array { walk(value, path) }
            }
        }
        walk(schema["$defs"] ?? [:], "")
        #expect(undescribed.isEmpty, "keys without a description: \(undescribed.sorted())")
        #expect(Set(glossary.keys).subtracting(names).isEmpty, "glossary terms no line uses: \(Set(glossary.keys).subtracting(names).sorted())")
    }
}
