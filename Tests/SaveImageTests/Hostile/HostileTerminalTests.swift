import Foundation
import Testing
@testable import SaveImage

/// A save image cannot drive the terminal that shows saveimg's output: control
/// characters, C1 controls and bidirectional overrides taken from the file
/// (an extension's root name, the domain XML, the cookie's CPU) or from a file
/// name are printed as `\u001b`, `\u009b`, `\u202e`; JSON stays valid and
/// holds the real strings; `dumpxml` and `ext show` into a pipe give the
/// document byte for byte.
@Suite struct HostileTerminalTests {
    /// An extension whose root name sets the terminal title and colours; a
    /// domain description and a cookie feature with a C1 CSI and a right-to-left override.
    static let extensionDocument = Array("<x\u{1B}]0;PWNED\u{07}\u{1B}[2J\u{1B}[31mred>hi</x>".utf8)

    static func hostileImage() throws -> [UInt8] {
        let xml = try Hostile.domainXML(inserting: "<description>desc\u{9B}31m \u{202E}kcatta</description>")
        var cookie = String(decoding: try Hostile.documents().cookie, as: UTF8.self)
        let feature = try #require(cookie.range(of: "<feature "))
        cookie.insert(contentsOf: "<feature policy='require' name='evil\u{202E}\u{9B}2J'/>", at: feature.lowerBound)
        return try Hostile.image(domainXML: xml, chain: [Array(cookie.utf8), extensionDocument], padding: 4096)
    }

    /// The terminal-driving scalars in `text`: C0 controls but tab and newline,
    /// DEL, C1, bidi marks; with `allowingColour`, TextStyle's own SGR sequences are skipped.
    static func unsafeScalars(in text: String, allowingColour: Bool = false) -> [UInt32] {
        var text = text
        if allowingColour {
            for code in ["0", "1", "2", "31", "32", "33", "36"] { text = text.replacingOccurrences(of: "\u{1B}[\(code)m", with: "") }
        }
        return text.unicodeScalars.map(\.value).filter { value in
            switch value {
            case 0x09, 0x0A: false
            case 0x00...0x1F, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
            default: false
            }
        }
    }

    @Test func textOutputShowsControlsEscaped() throws {
        let directory = try TemporaryDirectory()
        let image = try directory.write("evil\u{1B}]0;T\u{07}\u{202E}.sav", try Self.hostileImage())
        let text: [[String]] = [
            ["inspect", image], ["verify", image], ["ext", "list", image], ["check", image], ["check", "--deep", image],
            ["scan", directory.path], ["scan", "--color", "always", directory.path],
            ["diff-cpu", image], ["diff-cpu", "--color", "always", image],
            ["inspect", image + "\u{1B}[2Jmissing"],
        ]
        for arguments in text {
            let run = try Hostile.saveimg(arguments)
            #expect(!run.hungOrCrashed, "\(arguments): \(run.status)")
            let colour = arguments.contains("always")
            #expect(Self.unsafeScalars(in: run.stdout, allowingColour: colour).isEmpty, "\(arguments) stdout: \(run.stdout.debugDescription)")
            #expect(Self.unsafeScalars(in: run.stderr).isEmpty, "\(arguments) stderr: \(run.stderr.debugDescription)")
            #expect(run.output.contains("\\u001b"), "\(arguments): the escaped form is shown: \(run.output.prefix(400))")
        }
        // What each command shows of the file, escaped rather than dropped.
        let inspect = try Hostile.saveimg(["inspect", image]).stdout
        #expect(inspect.contains("<x\\u001b]0;PWNED\\u0007\\u001b[2J\\u001b[31mred>"))
        let diff = try Hostile.saveimg(["diff-cpu", "--color", "always", image]).stdout
        #expect(diff.contains("evil\\u202e\\u009b2J"), "\(diff)")
        #expect(diff.contains("\u{1B}[32m"), "diff-cpu --color always still colours: \(diff.debugDescription)")
    }

    @Test func jsonOutputStaysValidAndExact() throws {
        let directory = try TemporaryDirectory()
        let image = try directory.write("evil\u{1B}]0;T\u{07}.sav", try Self.hostileImage())
        for arguments in [["inspect", "--json", image], ["scan", "--json", directory.path], ["ext", "list", "--json", image]] {
            let run = try Hostile.saveimg(arguments)
            #expect(!run.hungOrCrashed)
            #expect(Self.unsafeScalars(in: run.stdout).isEmpty, "\(arguments): \(run.stdout.debugDescription)")
            for line in run.stdout.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
                #expect(object is [String: Any], "\(arguments): \(line)")
            }
        }
        let inspect = try Hostile.saveimg(["inspect", "--json", image])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        let extensions = try #require(json["extensions"] as? [[String: Any]])
        #expect(extensions.first?["root"] as? String == "x\u{1B}]0;PWNED\u{07}\u{1B}[2J\u{1B}[31mred", "JSON holds the real name")
        #expect((json["file"] as? String)?.hasSuffix("evil\u{1B}]0;T\u{07}.sav") == true)
    }

    @Test func documentsIntoAPipeAreByteExact() throws {
        let directory = try TemporaryDirectory()
        let bytes = try Self.hostileImage()
        let image = try directory.write("vm.sav", bytes)
        let show = try TestProcess.run([CLI.executable, "ext", "show", image, "1"])
        #expect(show.status == 0, "\(String(decoding: show.stderr, as: UTF8.self))")
        #expect(show.stdout == Self.extensionDocument)
        let dump = try TestProcess.run([CLI.executable, "dumpxml", image])
        #expect(String(decoding: dump.stdout, as: UTF8.self).contains("desc\u{9B}31m \u{202E}kcatta"))
    }
}
