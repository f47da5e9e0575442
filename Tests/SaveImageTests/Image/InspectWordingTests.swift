import Testing

/// inspect's text in a person's words.
@Suite struct InspectWordingTests {
    @Test func anUnknownFormatWordReadsAsANumber() throws {
        let image = try ModifiedImage("westmere-raw.sav") { $0.setWord(9, at: 28) }
        let result = try CLI.run(["inspect", image.path])
        let line = try #require(result.output.split(separator: "\n").first { $0.hasPrefix("  format ") })
        #expect(line == "  format        9 (unknown)", "\(line)")
    }
}
