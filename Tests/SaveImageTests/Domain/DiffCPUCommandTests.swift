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

    /// An image whose domain XML and cookie hold the given `<cpu>` elements.
    static func image(domainCPU: String, cookieCPU: String, in directory: TemporaryDirectory) throws -> String {
        func replacingCPU(_ document: [UInt8], with cpu: String) throws -> [UInt8] {
            var text = String(decoding: document, as: UTF8.self)
            let start = try #require(text.range(of: "<cpu"))
            let end = try #require(text.range(of: "</cpu>"))
            text.replaceSubrange(start.lowerBound..<end.upperBound, with: cpu)
            return Array(text.utf8)
        }
        let (xml, cookie) = try Hostile.documents()
        let bytes = try Hostile.image(domainXML: try replacingCPU(xml, with: domainCPU),
                                      chain: [try replacingCPU(cookie, with: cookieCPU)])
        return try directory.write("vm.sav", bytes)
    }

    static func cpu(_ features: [String]) -> String {
        "<cpu mode='custom' match='exact'><model>Westmere</model>"
            + features.map { "<feature policy='require' name='\($0)'/>" }.joined() + "</cpu>"
    }

    /// Changes far apart give one hunk each, numbered as diff(1) numbers them.
    @Test func separateChangesAreSeparateHunksAsDiff1Prints() throws {
        let directory = try TemporaryDirectory()
        let old = (0..<80).map { "f\($0)" }
        var new = old
        new[10] = "g10"
        new.remove(at: 40)
        new.insert("h", at: 70)
        let path = try Self.image(domainCPU: Self.cpu(old), cookieCPU: Self.cpu(new), in: directory)
        let image = try SaveImage(contentsOf: path)
        let oldPath = try directory.write("domain.xml", Array(try #require(image.domain.cpu).element.formatted().utf8))
        let newPath = try directory.write("cookie.xml", Array(try #require(image.cookie?.cpu).element.formatted().utf8))
        let reference = try TestProcess.run(["/usr/bin/diff", "-U", "2", oldPath, newPath])
        let ours = try CLI.run(["diff-cpu", "-U2", path])
        #expect(ours.status == 1)
        let hunks = ours.output.split(separator: "\n").filter { $0.hasPrefix("@@") }
        #expect(hunks.count == 3, "\(ours.output)")
        #expect(ours.output.split(separator: "\n").dropFirst(2)
                == String(decoding: reference.stdout, as: UTF8.self).split(separator: "\n").dropFirst(2))
    }

    /// A cookie CPU of 100,000 features (4.6 MB) against a small domain CPU:
    /// the diff is bounded (all removed, then all added, past
    /// UnifiedDiff.minimalDiffLimit lines) and still rebuilds both sides exactly.
    @Test func aHugeCookieCPUIsDiffedInBoundedTime() throws {
        let directory = try TemporaryDirectory()
        let old = ["a", "b", "c"]
        let new = ["a"] + (0..<100_000).map { "f\($0)" } + ["c"]
        let path = try Self.image(domainCPU: Self.cpu(old), cookieCPU: Self.cpu(new), in: directory)
        let run = try Hostile.saveimg(["diff-cpu", "-U", "1000", path])
        #expect(!run.hungOrCrashed && run.status == 1, "status \(run.status)")
        #expect(run.seconds < Double(Hostile.timeoutSeconds))
        let body = run.stdout.split(separator: "\n").dropFirst(3)
        let oldSide = body.filter { !$0.hasPrefix("+") }.map { String($0.dropFirst()) }
        let newSide = body.filter { !$0.hasPrefix("-") }.map { String($0.dropFirst()) }
        let image = try SaveImage(contentsOf: path)
        #expect(oldSide.joined(separator: "\n") + "\n" == (try #require(image.domain.cpu)).element.formatted())
        #expect(newSide.joined(separator: "\n") + "\n" == (try #require(image.cookie?.cpu)).element.formatted())
        #expect(body.contains("-  <feature policy='require' name='b'/>"))
        #expect(body.contains("+  <feature policy='require' name='f99999'/>"))
    }
}
