import Foundation
import Testing
@testable import SaveImage

/// `saveimg diff-cpu`, run as an operator runs it.
@Suite struct DiffCPUCommandTests {
    /// Rebuilds both sides from the diff and compares the hunks with diff(1).
    @Test func diffCPUIsAUnifiedDiffOfTheFormattedCPUs() throws {
        let image = try SaveImage(contentsOf: Fixtures.path("westmere-raw.sav"))
        let domainCPU = try #require(image.domain.cpu).element.formatted()
        let cookieCPU = try #require(image.cookie?.cpu).element.formatted()
        let full = try CLI.run(["diff-cpu", "-U", "1000", Fixtures.path("westmere-raw.sav")])
        #expect(full.status == 1)  // diff(1)'s convention: the CPUs differ
        let body = full.output.split(separator: "\n").dropFirst(3)  // ---, +++, @@
        let old = body.filter { !$0.hasPrefix("+") }.map { String($0.dropFirst()) }
        let new = body.filter { !$0.hasPrefix("-") }.map { String($0.dropFirst()) }
        #expect(old.joined(separator: "\n") + "\n" == domainCPU)
        #expect(new.joined(separator: "\n") + "\n" == cookieCPU)
        #expect(body.contains("+  <feature policy='require' name='pclmuldq'/>"))

        let directory = try TemporaryDirectory()
        let oldPath = try directory.write("domain.xml", Array(domainCPU.utf8))
        let newPath = try directory.write("cookie.xml", Array(cookieCPU.utf8))
        let reference = Process()
        reference.executableURL = URL(fileURLWithPath: "/usr/bin/diff")
        reference.arguments = ["-U", "1", oldPath, newPath]
        let pipe = Pipe()
        reference.standardOutput = pipe
        try reference.run()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reference.waitUntilExit()
        let ours = try CLI.run(["diff-cpu", "-U1", Fixtures.path("westmere-raw.sav")])
        #expect(ours.output.split(separator: "\n").dropFirst(2) == expected.split(separator: "\n").dropFirst(2))
    }

    @Test func diffCPUNotesAMissingCookieCPUAndFailsOnInvalidImages() throws {
        let hostModel = try CLI.run(["diff-cpu", Fixtures.path("hostmodel-raw.sav")])
        #expect(hostModel.status == 0)
        #expect(hostModel.output.hasSuffix("the cookie has no <cpu>; restore uses the domain XML's CPU\n"))
        let broken = try ModifiedImage("westmere-raw.sav") { $0.replaceSubrange(0..<16, with: Array("LibvirtQemudPart".utf8)) }
        let result = try CLI.run(["diff-cpu", broken.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("magic: expected LibvirtQemudSave"))
    }
}
