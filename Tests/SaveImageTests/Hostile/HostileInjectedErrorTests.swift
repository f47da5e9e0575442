import Foundation
import Testing
@testable import SaveImage

/// An I/O error injected into the real process (strace `inject=CALL:error=EIO`)
/// is the error saveimg reports: exit 2, the injected errno's text in the
/// message, the image unchanged, no temporary file; never another error or
/// a success that hides it.
@Suite(.serialized) struct HostileInjectedErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var fixture: String
        var arguments: [String]
        var call: String
        var testDescription: String { "\(name), EIO at the first \(call)" }
    }

    static let cases: [Case] = [
        Case(name: "add-cpu-ext in place", fixture: "westmere-raw.sav", arguments: ["add-cpu-ext", "IMAGE", "--cpu", "DIR/cpu.xml"],
             call: "pwrite64"),
        Case(name: "add-cpu-ext in place", fixture: "westmere-raw.sav", arguments: ["add-cpu-ext", "IMAGE", "--cpu", "DIR/cpu.xml"],
             call: "fsync"),
        Case(name: "define growing the data region", fixture: "westmere-raw.sav", arguments: ["define", "IMAGE", "DIR/big.xml"],
             call: "fsync"),
        Case(name: "define growing the data region", fixture: "westmere-raw.sav", arguments: ["define", "IMAGE", "DIR/big.xml"],
             call: "rename"),
        Case(name: "convert in place to gzip", fixture: "qemu64-raw-running.sav",
             arguments: ["convert", "IMAGE", "IMAGE", "--format", "gzip", "--threads", "1"], call: "fsync"),
    ]

    @Test(.enabled(if: HostileTools.strace || HostileTools.required, "needs /usr/bin/strace for error injection"), arguments: cases)
    func injectedEIOIsTheReportedError(_ test: Case) throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("cpu.xml", EditFixtures.cpuXML(model: "Westmere", features: ["pclmuldq", "hypervisor", "arat", "x2apic"]))
        _ = try directory.write("big.xml", try HostileCrashTests.grownDomainXML())
        let image = try directory.write("vm.sav", try Fixtures.bytes(test.fixture))
        let before = try FileSnapshot(image)
        let argv = test.arguments.map {
            $0.replacingOccurrences(of: "IMAGE", with: image).replacingOccurrences(of: "DIR", with: directory.path)
        }
        let run = try Hostile.saveimg(argv, wrapper: ["/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=\(test.call)",
                                                      "-e", "inject=\(test.call):error=EIO:when=1"])
        #expect(run.status == 2, "\(test): status \(run.status): \(run.output)")
        #expect(run.stderr.contains("Input/output error") || run.stderr.contains("errno 5"),
                "\(test): the injected EIO is not the reported error: \(run.stderr)")
        #expect(try FileSnapshot(image).sha256 == before.sha256, "\(test): the image changed")
        #expect(leftoverTemporaries(beside: image).isEmpty, "\(test): temporary file left")
    }
}
