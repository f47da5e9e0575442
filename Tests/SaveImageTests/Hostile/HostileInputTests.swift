import Foundation
import Testing
@testable import SaveImage

/// One hostile image, generated from the real westmere-raw.sav fixture.
struct HostileCase: CustomTestStringConvertible, Sendable {
    var name: String
    /// The error reading it, or nil when it reads (possibly with findings).
    var expected: SaveImageError.Code?
    /// The error's field, when it must name one.
    var field: String? = nil
    var make: @Sendable ([UInt8]) throws -> [UInt8]

    var testDescription: String { name }

    static func header(_ name: String, _ expected: SaveImageError.Code?, field: String? = nil,
                       _ change: @escaping @Sendable (inout [UInt8]) -> Void) -> HostileCase {
        HostileCase(name: name, expected: expected, field: field) { var bytes = $0; change(&bytes); return bytes }
    }

    static func documents(_ name: String, _ expected: SaveImageError.Code?, field: String? = nil,
                          _ make: @escaping @Sendable () throws -> (xml: [UInt8], chain: [[UInt8]])) -> HostileCase {
        HostileCase(name: name, expected: expected, field: field) { _ in
            let (xml, chain) = try make()
            return try Hostile.image(domainXML: xml, chain: chain, padding: 65536)
        }
    }
}

/// A file outside the image whose content must never appear in any output (XXE).
let hostileSecretPath = "/tmp/saveimg-hostile-secret.txt"
let hostileSecret = "SAVEIMG-XXE-SECRET-7f3a9c"

/// The hostile corpus: each case is read by the library and by the CLI
/// (`inspect`, `inspect --json`, `dumpxml`, `verify`, an in-place `set-state`), each run
/// under a timeout, and the file is compared before and after.
@Suite struct HostileInputTests {
    // westmere-raw.sav: data_len 66853, cookieOffset 1034, stream at 66945.
    static let streamOffset = 66945
    static let cookieStart = 92 + 1034

    static func truncated(at size: Int) -> SaveImageError.Code? {
        if size < 92 { return .truncatedHeader }
        if size < cookieStart { return .domainXMLPastEndOfFile }
        if size < streamOffset { return .cookiePastEndOfFile }
        return nil
    }

    static let truncations: [Int] = [0, 1, 16, 91, 92, 500, 1125, 1126, 1200, 30000, 66944, 66945, 70000]

    static let xxeEntity = "<!DOCTYPE domain [<!ENTITY xxe SYSTEM \"file://\(hostileSecretPath)\">]>\n"

    static let cases: [HostileCase] = truncations.map { size in
        HostileCase(name: "truncated to \(size) bytes", expected: truncated(at: size)) { Array($0.prefix(size)) }
    } + [
        .header("data_len 0", .invalidDataLength, field: "data_len") { $0.setWord(0, at: 20) },
        .header("data_len past EOF by 1, cookie kept", .cookiePastEndOfFile, field: "data_len") {
            $0.setWord(UInt32($0.count - 92 + 1), at: 20)
        },
        .header("data_len twice the file, cookie kept", .cookiePastEndOfFile, field: "data_len") {
            $0.setWord(UInt32($0.count * 2), at: 20)
        },
        .header("data_len twice the file, no cookie", .domainXMLPastEndOfFile, field: "data_len") {
            $0.setWord(UInt32($0.count * 2), at: 20); $0.setWord(0, at: 32)
        },
        .header("data_len 4 GiB-1, cookie kept", .cookiePastEndOfFile, field: "data_len") {
            $0.setWord(0xffff_ffff, at: 20)
        },
        .header("data_len 4 GiB-1, no cookie", .domainXMLPastEndOfFile, field: "data_len") {
            $0.setWord(0xffff_ffff, at: 20); $0.setWord(0, at: 32)
        },
        .header("cookieOffset = data_len + 1000", .cookieOffsetPastDataLength, field: "cookieOffset") {
            $0.setWord(66853 + 1000, at: 32)
        },
        .header("cookieOffset 4 GiB-1", .domainXMLPastEndOfFile, field: "cookieOffset") { $0.setWord(0xffff_ffff, at: 32) },
        .header("cookieOffset 500, inside the domain XML", .domainXMLNotTerminated) { $0.setWord(500, at: 32) },
        .header("cookieOffset 1", .domainXMLNotTerminated) { $0.setWord(1, at: 32) },
        .header("cookieOffset = data_len (empty cookie)", nil) { $0.setWord(66853, at: 32) },
        .header("no NUL anywhere in the data region", .domainXMLNotTerminated) {
            for i in 92..<streamOffset where $0[i] == 0 { $0[i] = 0x20 }
        },
        .header("no NUL anywhere, cookieOffset 0", .domainXMLNotTerminated) {
            for i in 92..<streamOffset where $0[i] == 0 { $0[i] = 0x20 }
            $0.setWord(0, at: 32)
        },
        .header("unterminated cookie running to data_len", nil) {
            for i in (cookieStart + 300)..<streamOffset where $0[i] == 0 { $0[i] = 0x20 }
        },
        .header("magic LibvirtQemudPart", .incompleteSave, field: "magic") {
            $0.replaceSubrange(0..<16, with: Array("LibvirtQemudPart".utf8))
        },
        .header("magic garbage", .badMagic, field: "magic") { $0.replaceSubrange(0..<16, with: [UInt8](repeating: 0xff, count: 16)) },
        .header("version 3", .unsupportedVersion, field: "version") { $0.setWord(3, at: 16) },
        .header("all header words 0xff", .badMagic, field: "magic") {
            $0.replaceSubrange(0..<92, with: [UInt8](repeating: 0xff, count: 92))
        },
        .documents("billion laughs in the domain XML", .malformedXML) {
            let (xml, cookie) = try Hostile.documents()
            _ = xml
            return (Array((billionLaughs + "<domain type='kvm'><name>&lol9;</name></domain>").utf8), [cookie])
        },
        .documents("billion laughs in the cookie", nil) {
            let (xml, _) = try Hostile.documents()
            return (xml, [Array((billionLaughs + "<cookie>&lol9;</cookie>").utf8)])
        },
        .documents("XXE entity in the domain XML", nil) {
            let (_, cookie) = try Hostile.documents()
            return (try Hostile.domainXML(inserting: "<description>&xxe;</description>", prolog: xxeEntity), [cookie])
        },
        .documents("XXE entity in the cookie", nil) {
            let (xml, _) = try Hostile.documents()
            return (xml, [Array((xxeEntity.replacingOccurrences(of: "domain", with: "cookie")
                + "<cookie><cpu><model>&xxe;</model></cpu></cookie>").utf8)])
        },
        .documents("external DTD", nil) {
            let (_, cookie) = try Hostile.documents()
            return (try Hostile.domainXML(inserting: "", prolog: "<!DOCTYPE domain SYSTEM \"file://\(hostileSecretPath)\">\n"),
                    [cookie])
        },
        .documents("XXE parameter entity", nil) {
            let (_, cookie) = try Hostile.documents()
            let prolog = "<!DOCTYPE domain [<!ENTITY % p SYSTEM \"file://\(hostileSecretPath)\"> %p;]>\n"
            return (try Hostile.domainXML(inserting: "", prolog: prolog), [cookie])
        },
        .documents("XXE over http (network)", nil) {
            let (_, cookie) = try Hostile.documents()
            let prolog = "<!DOCTYPE domain [<!ENTITY net SYSTEM \"http://127.0.0.1:9/secret\">]>\n"
            return (try Hostile.domainXML(inserting: "<description>&net;</description>", prolog: prolog), [cookie])
        },
        .documents("10^5-deep nesting in the domain XML", .malformedXML) {
            let (_, cookie) = try Hostile.documents()
            let deep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
            return (try Hostile.domainXML(inserting: deep), [cookie])
        },
        .documents("10^5-deep nesting in the cookie", nil) {
            let (xml, _) = try Hostile.documents()
            let deep = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
            return (xml, [Array(("<cookie>" + deep + "</cookie>").utf8)])
        },
        .documents("invalid UTF-8 in the domain XML", .malformedXML) {
            let (_, cookie) = try Hostile.documents()
            var xml = try Hostile.domainXML(inserting: "<description>XX</description>")
            let at = try #require(xml.firstIndex(of: UInt8(ascii: "X")))
            xml[at] = 0xff; xml[at + 1] = 0xc0
            return (xml, [cookie])
        },
        .documents("invalid UTF-8 in the cookie", nil) {
            let (xml, _) = try Hostile.documents()
            return (xml, [Array("<cookie><cpu><model>".utf8) + [0xff, 0xfe, 0xc0] + Array("</model></cpu></cookie>".utf8)])
        },
        .documents("domain XML root is not <domain>", .unexpectedXML) {
            let (_, cookie) = try Hostile.documents()
            return (Array("<notdomain/>".utf8), [cookie])
        },
        .documents("empty domain XML", .malformedXML) {
            let (_, cookie) = try Hostile.documents()
            return ([], [cookie])
        },
        .documents("domain XML is not XML", .malformedXML) {
            let (_, cookie) = try Hostile.documents()
            return (Array("this is not xml at all".utf8), [cookie])
        },
        .documents("20 MB domain XML (over the XML size limit)", .tooLarge) {
            let (_, cookie) = try Hostile.documents()
            return (try bigDomainXML(megabytes: 20), [cookie])
        },
        .documents("100 MB domain XML (over the data region limit)", .tooLarge, field: "data_len") {
            let (_, cookie) = try Hostile.documents()
            return (try bigDomainXML(megabytes: 100), [cookie])
        },
        .documents("a million and one elements in the domain XML (over the markup limit)", .tooLarge, field: "domain_definition") {
            let (_, cookie) = try Hostile.documents()
            return (try Hostile.domainXML(inserting: String(repeating: "<x/>", count: XMLParser.maximumMarkup + 1)), [cookie])
        },
        // libvirt 9.0 restores a chain of 30 million documents (it reads only the cookie);
        // saveimg splits at most 4096 (DataRegion.maximumDocuments) instead of spending gigabytes.
        .documents("4096 chained documents (the limit)", nil) {
            let (xml, cookie) = try Hostile.documents()
            return (xml, [cookie] + Array(repeating: Array("<a/>".utf8), count: 4095))
        },
        .documents("4097 chained documents (over the limit)", .tooLarge, field: "extension chain") {
            let (xml, cookie) = try Hostile.documents()
            return (xml, [cookie] + Array(repeating: Array("<a/>".utf8), count: 4096))
        },
        .documents("a million one-byte chained documents", .tooLarge, field: "extension chain") {
            let (xml, cookie) = try Hostile.documents()
            return (xml, [cookie] + Array(repeating: Array("a".utf8), count: 1_000_000))
        },
        .documents("100,000 documents after the domain XML with cookieOffset 0", nil) {
            let (xml, _) = try Hostile.documents()
            // No chain: the documents sit in the gap, which libvirt ignores.
            return (xml + [0] + Array(repeating: Array("a\0".utf8), count: 99_999).flatMap { $0 } + Array("a".utf8), [])
        },
    ]

    /// The fixture's domain XML with a comment of `megabytes` MiB before its closing tag.
    static func bigDomainXML(megabytes: Int) throws -> [UInt8] {
        var xml = try Hostile.documents().xml
        let close = Array("</domain>".utf8)
        xml.removeLast(xml.count - (try #require(xml.lastIndex(of: UInt8(ascii: "<")))))
        xml += Array("<!--".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: megabytes << 20) + Array("-->".utf8)
        return xml + close
    }

    static let billionLaughs = """
        <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\
        <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">\
        <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\
        <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\
        <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">\
        <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">\
        <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">\
        <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">\
        <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>

        """

    @Test func corpusHasAtLeastFortyCases() { #expect(Self.cases.count >= 40) }

    @Test(arguments: cases)
    func hostileImage(_ hostile: HostileCase) throws {
        try? hostileSecret.write(toFile: hostileSecretPath, atomically: true, encoding: .utf8)
        let directory = try TemporaryDirectory()
        let path = try directory.write("hostile.sav", try hostile.make(try Fixtures.bytes(Hostile.fixture)))
        let before = try FileSnapshot(path)

        // The library: the documented error, naming the file and the field.
        var libraryError: SaveImageError?
        do { _ = try SaveImage(contentsOf: path) } catch { libraryError = error }
        #expect(libraryError?.code == hostile.expected, "\(libraryError.map { "\($0)" } ?? "reads")")
        if let libraryError {
            #expect(libraryError.path == path)
            #expect(!libraryError.field.isEmpty && !libraryError.expected.isEmpty && !libraryError.found.isEmpty)
            if let field = hostile.field { #expect(libraryError.field == field) }
        }

        // The CLI: documented exit code (2 invalid, 0 reads), bounded time, no secret leaked.
        let status: Int32 = hostile.expected == nil ? 0 : 2
        for arguments in [["inspect", path], ["inspect", "--json", path], ["dumpxml", path]] {
            let run = try Hostile.saveimg(arguments)
            #expect(!run.hungOrCrashed, "\(arguments[0]) hung or crashed: \(run.status)")
            #expect(run.status == status, "\(arguments): \(run.stderr)")
            #expect(!run.output.contains(hostileSecret))
            if status == 2 {
                #expect(run.output.contains(path))
                #expect(run.output.contains(hostile.expected?.rawValue ?? "?") || run.output.contains("expected"))
            }
        }
        // verify: 2 when libvirt refuses to read it, else 0 (restores), 3 (reads, will not restore) or 4 (cannot tell).
        let verify = try Hostile.saveimg(["verify", path])
        #expect(!verify.hungOrCrashed)
        #expect(status == 2 ? verify.status == 2 : [0, 3, 4].contains(verify.status), "verify: \(verify.output)")
        #expect(!verify.output.contains(hostileSecret))
        // An in-place edit of an image libvirt would refuse is refused; either way the file is left alone
        // (a readable image is edited into --output, never in place, here).
        let output = directory.path + "/edited.sav"
        let edit = hostile.expected == nil
            ? try Hostile.saveimg(["set-state", "--paused", path, "--output", output])
            : try Hostile.saveimg(["set-state", "--paused", path])
        #expect(!edit.hungOrCrashed)
        #expect(edit.status == status, "\(edit.stderr)")
        #expect(!edit.output.contains(hostileSecret))
        if status == 0 {
            let edited = try Hostile.read(output)
            #expect(!String(decoding: edited, as: UTF8.self).contains(hostileSecret))
        }
        #expect(try FileSnapshot(path) == before, "the hostile file changed")
        #expect(leftoverTemporaries(beside: path).isEmpty)
    }

    /// Sampled truncation points over the first 70 KB (library only: fast).
    @Test func truncationAtSampledBoundaries() throws {
        let bytes = try Fixtures.bytes(Hostile.fixture)
        let directory = try TemporaryDirectory()
        var sizes = Array(stride(from: 0, to: 70_000, by: 613)) + Array(0...100)
        sizes += Array(Self.cookieStart - 3...Self.cookieStart + 3) + Array(Self.streamOffset - 3...Self.streamOffset + 3)
        for size in sizes {
            let path = try directory.write("cut-\(size).sav", Array(bytes.prefix(size)))
            var code: SaveImageError.Code?
            do { _ = try SaveImage(contentsOf: path) } catch { code = error.code }
            #expect(code == Self.truncated(at: size), "size \(size)")
            try FileManager.default.removeItem(atPath: path)
        }
    }
}
