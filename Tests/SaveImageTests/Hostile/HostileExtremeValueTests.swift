import Foundation
import Testing
@testable import SaveImage

/// Every field saveimg parses from the domain XML, the cookie or the
/// extension chain, given each extreme value, through every read command
/// (inspect, inspect --json, verify, dumpxml, diff-cpu, check --deep, scan):
/// a clear error naming the field, or a correct report; never a signal; the
/// file unchanged (SHA-256). Built on the westmere fixture, data_len kept
/// consistent with the documents (libvirt's 64 KiB padding after them).
///
/// Accepted values and messages are libvirt 9.0's, measured with
/// `virsh save-image-dumpxml` (see BENCHMARKS.md, "Extreme values"):
/// `<memory>` `+5` is 5 KiB, `0x10`/`1e400`/`-1`/2^64 are "Invalid value",
/// 2^63 KiB "value too large"; an empty or 0 `<currentMemory>` is `<memory>`;
/// `<vcpu>` `+5` is 5, anything not a 32-bit integer "maximum vcpus count
/// must be an integer" (-1 and 2^31 and above crash or hang libvirtd 9.0).
@Suite("Hostile: extreme values in every parsed field")
struct HostileExtremeValueTests {
    static let million = String(repeating: "9", count: 1_000_000)
    static let extremes: [String] = ["0", "-1", "4294967296", "9223372036854775808", "18446744073709551615",
                                     "18446744073709551616", "1e400", "0x10", "+5", "", "MILLION"]

    /// A parsed field: how to put a value in, and what libvirt 9.0 makes of each extreme.
    struct Field: CustomTestStringConvertible, Sendable {
        var name: String
        /// Text the error must contain when the value is refused.
        var errorNames: String
        /// The value -> (memory KiB, current KiB, vCPUs) when accepted; absent when refused.
        var accepted: [String: [Int]]
        var testDescription: String { name }
    }

    static let fields: [Field] = [
        Field(name: "memory", errorNames: "<memory>", accepted: ["4294967296": [4_294_967_296, 32768, 1], "+5": [5, 5, 1]]),
        Field(name: "memory unit", errorNames: "<memory> unit", accepted: ["": [32768, 32768, 1]]),
        Field(name: "currentMemory", errorNames: "<currentMemory>",
              accepted: ["0": [32768, 32768, 1], "4294967296": [32768, 32768, 1], "+5": [32768, 5, 1], "": [32768, 32768, 1]]),
        Field(name: "vcpu", errorNames: "<vcpu>", accepted: ["+5": [32768, 32768, 5]]),
        Field(name: "seal bytes", errorNames: "seal", accepted: [:]),
        Field(name: "cookie topology", errorNames: "cookie", accepted: [:]),
    ]

    /// The image with `value` in `field`.
    static func image(_ field: Field, _ value: String) throws -> [UInt8] {
        let (xmlBytes, cookieBytes) = try Hostile.documents()
        var xml = String(decoding: xmlBytes, as: UTF8.self)
        var cookie = String(decoding: cookieBytes, as: UTF8.self)
        var chain: [[UInt8]] = []
        func replace(_ old: String, _ new: String) throws {
            guard let range = xml.range(of: old) else { throw SaveImageError(.io, path: "", field: old, expected: "in the fixture", found: "absent") }
            xml.replaceSubrange(range, with: new)
        }
        switch field.name {
        case "memory": try replace("<memory unit='KiB'>32768</memory>", "<memory unit='KiB'>\(value)</memory>")
        case "memory unit": try replace("<memory unit='KiB'>32768</memory>", "<memory unit='\(value)'>32768</memory>")
        case "currentMemory": try replace("<currentMemory unit='KiB'>32768</currentMemory>", "<currentMemory unit='KiB'>\(value)</currentMemory>")
        case "vcpu": try replace("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>\(value)</vcpu>")
        case "seal bytes":
            let report = try DeepCheck.run(path: Fixtures.path(Hostile.fixture))
            chain = [Array("<saveimg-seal sha256='\(report.sha256)' bytes='\(value)'/>".utf8)]
        default:
            cookie = cookie.replacingOccurrences(
                of: "</model>", with: "</model>\n    <topology sockets='\(value)' dies='1' cores='1' threads='\(value)'/>")
        }
        return try Hostile.image(domainXML: Array(xml.utf8), chain: [Array(cookie.utf8)] + chain, padding: 65536)
    }

    @Test("a clear error or a correct report, never a signal, the file unchanged", arguments: fields)
    func extremes(_ field: Field) throws {
        let directory = try TemporaryDirectory()
        for (index, extreme) in Self.extremes.enumerated() {
            let value = extreme == "MILLION" ? Self.million : extreme
            let shown = extreme == "MILLION" ? "10^6 digits" : "'\(extreme)'"
            let folder = directory.path + "/\(index)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let bytes = try Self.image(field, value)
            let path = folder + "/vm.sav"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let before = try FileSnapshot(path)
            let expected = field.accepted[value]
            let readable = expected != nil || field.name == "seal bytes" || field.name == "cookie topology"
            let commands: [[String]] = [["inspect", path], ["inspect", "--json", path], ["verify", path], ["dumpxml", path],
                                        ["diff-cpu", path], ["check", "--deep", path], ["scan", folder]]
            for arguments in commands {
                let run = try Hostile.saveimg(arguments)
                let what = "\(field.name) = \(shown): saveimg \(arguments.dropLast().joined(separator: " "))"
                #expect(!run.hungOrCrashed, "\(what): status \(run.status) \(run.stderr.prefix(500))")
                #expect(!run.stderr.contains("Fatal error") && !run.stderr.contains("Crash"), "\(what): \(run.stderr.prefix(500))")
                #expect(run.stderr.utf8.count < 4096, "\(what): a clear error, not \(run.stderr.utf8.count) bytes")
                let isCheck = arguments[0] == "check", isVerify = arguments[0] == "verify" || arguments[0] == "scan"
                if readable && !(isCheck && field.name == "seal bytes") {
                    #expect(run.status == 0 || (isVerify && [3, 4].contains(run.status)) || (arguments[0] == "diff-cpu" && run.status == 1), "\(what): status \(run.status) \(run.stderr.prefix(500))")
                } else {
                    #expect(run.status == 2, "\(what): status \(run.status), expected a refusal")
                    let text = run.output
                    #expect(text.contains(field.errorNames), "\(what): the error names \(field.errorNames): \(text.prefix(500))")
                }
            }
            if let expected {
                // The report is correct: the values libvirt 9.0 reads.
                let run = try Hostile.saveimg(["inspect", "--json", path])
                let json = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
                let domain = json?["domain"] as? [String: Any]
                #expect(domain?["memory_kib"] as? Int == expected[0], "\(field.name) = \(shown): memory \(String(describing: domain?["memory_kib"]))")
                #expect(domain?["current_memory_kib"] as? Int == expected[1], "\(field.name) = \(shown): current memory")
                #expect(domain?["vcpus"] as? Int == expected[2], "\(field.name) = \(shown): vcpus")
                let dump = try Hostile.saveimg(["dumpxml", path])
                let stored = try SaveImage(contentsOf: path).region.domainXML.bytes
                let printed = Array(dump.stdout.utf8)
                #expect(printed == stored || printed == stored + [10], "\(field.name) = \(shown): dumpxml prints the stored XML")
            }
            if field.name == "seal bytes" {
                let run = try Hostile.saveimg(["check", "--deep", path])
                #expect(run.status == 2 && run.output.contains("DOES NOT MATCH"), "\(shown): \(run.output.prefix(500))")
                let invalid = UInt64(value) == nil  // Swift's parser, like Checked.unsignedDecimal, takes a leading +
                if invalid { #expect(run.output.contains("saveimg-seal bytes"), "\(shown) refused by name: \(run.output.prefix(500))") }
            }
            #expect(try FileSnapshot(path) == before, "\(field.name) = \(shown): the file changed")
        }
    }
}
