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
        /// Which occurrence of `call` fails.
        var when = 1
        /// The image, when not `fixture` (the large images of the direct-I/O writer).
        var image: (@Sendable () throws -> [UInt8])? = nil
        var testDescription: String { "\(name), EIO at \(call) #\(when)" }
    }

    /// A 37 MB raw image: 8 whole 4 MiB chunks for the direct-I/O writer, one `fdatasync`.
    static let largeImage: @Sendable () throws -> [UInt8] = { try StreamFixtures.largeRawImage(pages: 9_000) }

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
        // The direct-I/O writer thread's own calls: the error crosses back to the caller.
        Case(name: "convert a 37 MB image in place (direct writer)", fixture: "", arguments: ["convert", "IMAGE", "IMAGE",
             "--format", "raw", "--byte-order", "big"], call: "pwrite64", when: 3, image: largeImage),
        Case(name: "convert a 37 MB image in place (direct writer)", fixture: "", arguments: ["convert", "IMAGE", "IMAGE",
             "--format", "raw", "--byte-order", "big"], call: "fdatasync", image: largeImage),
    ]

    @Test(.enabled(if: HostileTools.strace || HostileTools.required, "needs /usr/bin/strace for error injection"), arguments: cases)
    func injectedEIOIsTheReportedError(_ test: Case) throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("cpu.xml", EditFixtures.cpuXML(model: "Westmere", features: ["pclmuldq", "hypervisor", "arat", "x2apic"]))
        _ = try directory.write("big.xml", try HostileCrashTests.grownDomainXML())
        let image = try directory.write("vm.sav", try test.image?() ?? Fixtures.bytes(test.fixture))
        let before = try FileSnapshot(image)
        let argv = test.arguments.map {
            $0.replacingOccurrences(of: "IMAGE", with: image).replacingOccurrences(of: "DIR", with: directory.path)
        }
        let run = try Hostile.saveimg(argv, wrapper: ["/usr/bin/strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=\(test.call)",
                                                      "-e", "inject=\(test.call):error=EIO:when=\(test.when)"])
        #expect(run.status == 2, "\(test): status \(run.status): \(run.output)")
        #expect(run.stderr.contains("Input/output error") || run.stderr.contains("errno 5"),
                "\(test): the injected EIO is not the reported error: \(run.stderr)")
        let failedCall = test.call.replacingOccurrences(of: "64", with: "") + " failed"  // pwrite64 is reported as pwrite
        #expect(run.stderr.contains(failedCall), "\(test): the message does not name \(failedCall): \(run.stderr)")
        #expect(run.stderr.contains(image), "\(test): the message does not name the file: \(run.stderr)")
        #expect(try FileSnapshot(image).sha256 == before.sha256, "\(test): the image changed")
        #expect(leftoverTemporaries(beside: image).isEmpty, "\(test): temporary file left")
    }
}
