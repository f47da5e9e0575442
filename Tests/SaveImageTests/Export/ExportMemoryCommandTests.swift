import Foundation
import Testing
@testable import SaveImage

/// `saveimg export-memory` on the command line: the map, the JSON line
/// against the schema, the refusal to replace a file, the exit statuses.
@Suite("Export: the export-memory command")
struct ExportMemoryCommandTests {
    @Test("--map prints the ranges and the registers; --json is one export_memory line")
    func mapAndJSON() throws {
        let text = try CLI.run(["export-memory", Fixtures.path("qemu64-raw-running.sav"), "--map"])
        #expect(text.status == 0)
        #expect(text.output.contains("0x000000000000-0x000002000000  pc.ram +0x0"))
        #expect(text.output.contains("cpu 0: rip 0xb7b9"))
        let json = try CLI.run(["export-memory", Fixtures.path("qemu64-raw-running.sav"), "--map", "--json"])
        let lines = try JSONSchema.validate(json, "export_memory")
        #expect(lines.count == 1)
    }

    @Test("writes a core, refuses to replace it, and an unreadable image exits 2 with a JSON error line")
    func writesAndRefuses() throws {
        let directory = try TemporaryDirectory()
        let core = directory.path + "/guest.core"
        let first = try CLI.run(["export-memory", Fixtures.path("qemu64-xz.sav"), core])
        #expect(first.status == 0 && first.output.contains("elf, 2 ranges"))
        let again = try CLI.run(["export-memory", Fixtures.path("qemu64-xz.sav"), core])
        #expect(again.status == 2 && again.stderr.contains("never replaces"))
        let missing = try CLI.run(["export-memory", directory.path + "/nothing.sav", directory.path + "/out", "--json"])
        #expect(missing.status == 2)
        _ = try JSONSchema.validate(missing, "export_memory")
        #expect(try CLI.run(["export-memory", Fixtures.path("qemu64-xz.sav"), core + "2", "--format", "pdf"]).status == 1)
    }
}
