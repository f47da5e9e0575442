import Foundation
import Testing
@testable import SaveImage

/// `saveimg scan`, run as an operator runs it.
@Suite struct ScanCommandTests {
    /// The output's JSON lines, each valid against the schema's `scan` line.
    private func jsonLines(_ result: CLI.Result) throws -> [[String: Any]] {
        try JSONSchema.validate(result, "scan")
    }

    @Test func jsonListsEveryImageInPathOrderThenASummary() throws {
        let fleet = try ScanFleet()
        let result = try CLI.run(["scan"] + LabTarget.arguments + ["--json", fleet.root])
        #expect(result.status == 2)  // two broken images
        let objects = try jsonLines(result)
        let images = objects.filter { $0["type"] as? String == "image" }
        #expect(images.map { $0["file"] as? String } == fleet.expectedImages)
        var byName: [String: [String: Any]] = [:]
        for image in images {
            if let file = image["file"] as? String { byName[URL(fileURLWithPath: file).lastPathComponent] = image }
        }
        #expect(byName["unfinished.sav"]?["verdict"] as? String == "invalid")
        #expect((byName["unfinished.sav"]?["error"] as? [String: Any])?["code"] as? String == "incomplete_save")
        #expect(byName["truncated.sav"]?["verdict"] as? String == "invalid")
        let westmere = try #require(byName["westmere-copy.sav"])
        #expect((westmere["domain"] as? [String: Any])?["name"] as? String == "oracle-westmere")
        #expect(westmere["cpu_delta"] as? String == "+pclmuldq +hypervisor +arat")
        #expect(westmere["file_size"] as? Int == 590_756)
        #expect(byName["qemu64-raw-suspended.sav"]?["state"] as? String == "paused")
        #expect(byName["qemu64-xz.sav"]?["format"] as? String == "xz")
        #expect(byName["hostmodel-raw.sav"]?["cpu_delta"] as? String == "no cookie cpu")
        let summary = try #require(objects.last)
        #expect(summary["type"] as? String == "summary")
        #expect(summary["images"] as? Int == 12)
        #expect(summary["invalid"] as? Int == 2)
        #expect(summary["skipped"] as? Int == 2)
        #expect(objects.count == 13)
    }

    @Test func oneWorkerAndManyWorkersPrintTheSameLines() throws {
        let fleet = try ScanFleet()
        let one = try CLI.run(["scan"] + LabTarget.arguments + ["--jobs", "1", fleet.root])
        let two = try CLI.run(["scan"] + LabTarget.arguments + ["--jobs", "2", fleet.root])
        let eight = try CLI.run(["scan"] + LabTarget.arguments + ["-j", "8", fleet.root])
        #expect(one.output == two.output)
        #expect(one.output == eight.output)
        #expect(one.output.split(separator: "\n").count == 14)  // header, 12 images, summary
    }

    @Test func tableColumnsLineUp() throws {
        let fleet = try ScanFleet()
        let lines = try CLI.run(["scan"] + LabTarget.arguments + [fleet.root]).output.split(separator: "\n").map(String.init)
        let header = try #require(lines.first)
        let fileColumn = try #require(header.range(of: "FILE")).lowerBound.utf16Offset(in: header)
        for line in lines.dropFirst().dropLast() {
            let path = try #require(line.range(of: fleet.root))
            #expect(line[..<path.lowerBound].count == fileColumn, "\(line)")
        }
        #expect(lines.contains { $0.hasPrefix("invalid ") && $0.contains("unfinished.sav  offset 0: magic: expected LibvirtQemudSave") })
        #expect(lines.last == "12 save images: 10 ok, 2 invalid (6.1 MiB in all); 2 other files skipped")
    }

    @Test func healthyImagesExitZeroAndColourFollowsTheOption() throws {
        let result = try CLI.run(["scan"] + LabTarget.arguments + [Fixtures.testdata + "/libvirt-9.0"])
        #expect(result.status == 0)
        #expect(!result.output.contains("\u{1B}["))
        let coloured = try CLI.run(["scan"] + LabTarget.arguments + ["--color", "always", Fixtures.testdata + "/libvirt-9.0"])
        #expect(coloured.output.contains("\u{1B}[32mok"))
        #expect(coloured.output.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
                == result.output)
    }

    @Test func anImageThatWouldNotRestoreGetsTheVerifiersVerdictAndExit3() throws {
        // Header says gzip, the stream is raw: libvirt 9.0 reads it, restore fails.
        let mismatch = try ModifiedImage("westmere-raw.sav") { $0.setWord(1, at: 28) }
        let result = try CLI.run(["scan"] + LabTarget.arguments + ["--json", mismatch.directory.path])
        #expect(result.status == 3)
        let image = try #require(try jsonLines(result).first)
        #expect(image["verdict"] as? String == "restore_fails")
        let problems = try #require(image["findings"] as? [[String: Any]])
        #expect(problems.contains { $0["code"] as? String == "format_stream_mismatch" })
        let text = try CLI.run(["scan"] + LabTarget.arguments + ["--problems", mismatch.directory.path, Fixtures.testdata + "/libvirt-9.0"])
        let lines = text.output.split(separator: "\n")
        #expect(lines.count == 3)  // header, the failing image, summary
        #expect(lines[1].hasPrefix("restore_fails "))
        // The line says why: the first reason at the verdict's severity.
        #expect(lines[1].contains("  [format_stream_mismatch] "), "\(lines[1])")
        #expect(lines[2] == "9 save images: 8 ok, 1 restore_fails (4.9 MiB in all); 6 other files skipped")
    }

    /// A file named on the command line is meant to be an image: one that is not is an error (exit 2),
    /// where the same file found inside a directory is skipped.
    @Test func aNamedFileThatIsNotAnImageIsAnError() throws {
        let directory = try TemporaryDirectory()
        let notes = try directory.write("notes.txt", Array("not a save image, but longer than sixteen bytes\n".utf8))
        let named = try CLI.run(["scan"] + LabTarget.arguments + [notes, Fixtures.path("westmere-raw.sav")])
        #expect(named.status == 2, "\(named.output)")
        let line = try #require(named.output.split(separator: "\n").first { $0.contains("notes.txt") })
        #expect(line.hasPrefix("invalid "))
        #expect(line.contains("not a save image"), "\(line)")
        let walked = try CLI.run(["scan"] + LabTarget.arguments + [directory.path])
        #expect(walked.status == 0)
        #expect(walked.output.contains("0 save images (0 bytes in all); 1 other file skipped"), "\(walked.output)")
    }

    @Test func unreadableRootsAreReported() throws {
        let result = try CLI.run(["scan"] + LabTarget.arguments + ["/nonexistent-saveimg-dir"])
        #expect(result.status == 2)
        #expect(result.output.contains("unreadable"))
        #expect(result.output.contains("No such file or directory"))
    }
}
