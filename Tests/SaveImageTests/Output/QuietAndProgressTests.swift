import Foundation
import Testing

/// `-q/--quiet` on every command, `check --deep -p`, and check's wording, run as a person runs them.
@Suite struct QuietAndProgressTests {
    @Test func scanSaysWhichTargetUnlessQuiet() throws {
        let directory = Fixtures.testdata + "/libvirt-9.0"
        let loud = try CLI.run(["scan"] + LabTarget.arguments + [directory])
        #expect(loud.stderr.contains("judging against libvirt 9.0"), "\(loud.stderr)")
        for flag in ["-q", "--quiet"] {
            let quiet = try CLI.run(["scan", flag] + LabTarget.arguments + [directory])
            #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
            #expect(quiet.status == loud.status)
            #expect(quiet.output == loud.output)  // results are printed as without it
        }
    }

    @Test func quietKeepsErrors() throws {
        let result = try CLI.run(["inspect", "-q", "/nonexistent/vm.save"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("/nonexistent/vm.save"), "\(result.stderr)")
    }

    @Test func checkTakesProgressOnlyWithDeep() throws {
        let image = Fixtures.path("westmere-raw.sav")
        let refused = try CLI.run(["check", "-p", image])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--progress needs --deep"), "\(refused.stderr)")
        // Standard error is a pipe here: the bar is not drawn, the report is the same.
        let withBar = try CLI.run(["check", "--deep", "-p", image])
        let without = try CLI.run(["check", "--deep", image])
        #expect(withBar.status == 0)
        #expect(withBar.output == without.output)
        #expect(withBar.stderr.isEmpty, "\(withBar.stderr)")
    }

    /// "sections 29: 2 ram, 0 timer" read as counts; now each section is its name with its id.
    @Test func checkDeepNamesSectionsWithTheirIDs() throws {
        let result = try CLI.run(["check", "--deep", Fixtures.path("westmere-raw.sav")])
        #expect(result.status == 0)
        let line = try #require(result.output.split(separator: "\n").first { $0.contains("sections") })
        #expect(line.contains("29 device sections: ram (id 3), timer (id 0), cpu_common (id 5)"), "\(line)")
    }
}
