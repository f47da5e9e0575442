import Foundation
import Testing
@testable import SaveImage

/// Each row of the "Reading: hand-modified images" table in
/// ../shared/reference/libvirt-9.0-behaviour.md, rebuilt from a real fixture.
/// The dumpxml column must match saveimg's reader (reads, or the same error);
/// where restore fails but dumpxml works, saveimg must report a
/// `restore_fails` finding with libvirt's meaning.
@Suite struct LibvirtReadingTableTests {
    static let raw = "qemu64-raw-running.sav"
    static let gzip = "qemu64-gzip.sav"

    /// What libvirt 9.0 did with a row's image.
    enum Verdict: CustomStringConvertible {
        /// dumpxml and restore work.
        case restores
        /// dumpxml works; restore fails with a message containing the text.
        case restoreFails(finding: Finding.Code, libvirt: String)
        /// dumpxml (and so restore) fails.
        case rejected(SaveImageError.Code, libvirt: String)

        var description: String {
            switch self {
            case .restores: "restores"
            case .restoreFails(let finding, _): "restore fails (\(finding.rawValue))"
            case .rejected(let code, _): "rejected (\(code))"
            }
        }
    }

    struct Row: CustomStringConvertible, Sendable {
        var name: String
        var fixture: String
        var verdict: @Sendable () -> Verdict
        var change: @Sendable (inout [UInt8]) -> Void
        var description: String { name }
    }

    // MARK: helpers building the modifications

    static func layout(_ bytes: [UInt8]) -> FixtureLayout { FixtureLayout(bytes) }

    /// Replaces the region's bytes from `offset` (region-relative) with `insert`, keeping data_len.
    static func overwriteRegion(_ bytes: inout [UInt8], at offset: Int, with insert: [UInt8]) {
        for (i, byte) in insert.enumerated() { bytes[92 + offset + i] = byte }
    }

    static func extraDocuments(_ bytes: inout [UInt8]) {
        let l = layout(bytes)
        let docs = Array("<first-ext a='1'/>".utf8) + [0] + Array("<second-ext>text</second-ext>".utf8) + [0]
        overwriteRegion(&bytes, at: l.cookieOffset + l.cookieLength + 1, with: docs)
    }

    static func swapAllWords(_ bytes: inout [UInt8], includingUnused: Bool = true) {
        let words = includingUnused ? 5 + 14 : 5
        for i in 0..<words {
            let offset = 16 + 4 * i
            bytes.setWord(bytes.word(at: offset), at: offset, bigEndian: true)
        }
    }

    /// Rebuilds the image as XML, NUL, `tail`, with data_len = everything before the stream.
    static func rebuild(_ bytes: inout [UInt8], cookieOffset: UInt32, tail: (FixtureLayout, [UInt8]) -> [UInt8]) {
        let l = layout(bytes)
        let xml = Array(bytes[92..<(92 + l.xmlLength)])
        let region = xml + [0] + tail(l, bytes)
        let stream = Array(bytes[l.streamOffset...])
        var header = Array(bytes[0..<92])
        header.setWord(UInt32(region.count), at: 20)
        header.setWord(cookieOffset, at: 32)
        bytes = header + region + stream
    }

    static func cookie(_ l: FixtureLayout, _ bytes: [UInt8]) -> [UInt8] {
        Array(bytes[l.cookieStart..<(l.cookieStart + l.cookieLength)])
    }

    static func replaceCookie(_ bytes: inout [UInt8], with text: String) {
        let l = layout(bytes)
        let newCookie = Array(text.utf8) + [0]
        let zeros = [UInt8](repeating: 0, count: max(0, l.cookieLength + 1 - newCookie.count))
        overwriteRegion(&bytes, at: l.cookieOffset, with: newCookie + zeros)
    }

    // MARK: the table

    static let rows: [Row] = [
        Row(name: "two extra NUL-terminated docs after the cookie, in the padding", fixture: raw,
            verdict: { .restores }, change: extraDocuments),
        Row(name: "same, gzip image", fixture: gzip, verdict: { .restores }, change: extraDocuments),
        Row(name: "cookieOffset 0, cookie text and extra docs after the XML's NUL", fixture: raw,
            verdict: { .restores }, change: { bytes in extraDocuments(&bytes); bytes.setWord(0, at: 32) }),
        Row(name: "cookieOffset 0, cookie bytes left in place", fixture: raw,
            verdict: { .restores }, change: { $0.setWord(0, at: 32) }),
        Row(name: "no cookie, bytes zeroed", fixture: raw, verdict: { .restores }, change: { bytes in
            let l = layout(bytes)
            overwriteRegion(&bytes, at: l.cookieOffset, with: [UInt8](repeating: 0, count: l.cookieLength))
            bytes.setWord(0, at: 32)
        }),
        Row(name: "no cookie, data_len = strlen(xml)+1+65536, stream moved", fixture: raw, verdict: { .restores },
            change: { rebuild(&$0, cookieOffset: 0) { _, _ in [UInt8](repeating: 0, count: 65536) } }),
        Row(name: "xml NUL cookie NUL, no padding at all", fixture: raw, verdict: { .restores }, change: { bytes in
            let l = layout(bytes)
            rebuild(&bytes, cookieOffset: UInt32(l.xmlLength + 1)) { l, b in cookie(l, b) + [0] }
        }),
        Row(name: "xml NUL only, data_len = strlen(xml)+1", fixture: raw, verdict: { .restores },
            change: { rebuild(&$0, cookieOffset: 0) { _, _ in [] } }),
        Row(name: "magic LibvirtQemudPart", fixture: raw,
            verdict: { .rejected(.incompleteSave, libvirt: "save image is incomplete") },
            change: { $0.replaceSubrange(0..<16, with: Array("LibvirtQemudPart".utf8)) }),
        Row(name: "other magic", fixture: raw,
            verdict: { .rejected(.badMagic, libvirt: "image magic is incorrect") },
            change: { $0.replaceSubrange(0..<16, with: Array("NotAQemuSaveFile".utf8)) }),
        Row(name: "version 3, little-endian", fixture: raw,
            verdict: { .rejected(.unsupportedVersion, libvirt: "image version is not supported (50331648 > 2)") },
            change: { $0.setWord(3, at: 16) }),
        Row(name: "version 1, raw", fixture: raw, verdict: { .restores }, change: { $0.setWord(1, at: 16) }),
        Row(name: "version 1, gzip: format ignored below version 2", fixture: gzip,
            verdict: { .restoreFails(finding: .formatStreamMismatch, libvirt: "Not a migration stream") },
            change: { $0.setWord(1, at: 16) }),
        Row(name: "version 0, raw", fixture: raw, verdict: { .restores }, change: { $0.setWord(0, at: 16) }),
        Row(name: "version 0x01000000 (swaps to 1, other fields not swapped)", fixture: raw,
            verdict: { .rejected(.domainXMLPastEndOfFile, libvirt: "failed to read domain XML") },
            change: { $0.setWord(0x0100_0000, at: 16) }),
        Row(name: "all header words big-endian", fixture: raw, verdict: { .restores },
            change: { swapAllWords(&$0) }),
        Row(name: "all big-endian, gzip", fixture: gzip, verdict: { .restores }, change: { swapAllWords(&$0) }),
        Row(name: "only version big-endian", fixture: raw,
            verdict: { .rejected(.domainXMLPastEndOfFile, libvirt: "failed to read domain XML") },
            change: { $0.setWord(2, at: 16, bigEndian: true) }),
        Row(name: "big-endian including non-zero unused words", fixture: raw, verdict: { .restores },
            change: { bytes in for i in 0..<14 { bytes.setWord(UInt32(i + 1), at: 36 + 4 * i) }; swapAllWords(&bytes) }),
        Row(name: "data_len = 2 x file size, cookie kept", fixture: raw,
            verdict: { .rejected(.cookiePastEndOfFile, libvirt: "failed to read cookie") },
            change: { $0.setWord(UInt32($0.count * 2), at: 20) }),
        Row(name: "data_len = 2 x file size, no cookie", fixture: raw,
            verdict: { .rejected(.domainXMLPastEndOfFile, libvirt: "failed to read domain XML") },
            change: { $0.setWord(UInt32($0.count * 2), at: 20); $0.setWord(0, at: 32) }),
        Row(name: "data_len + 8", fixture: raw,
            verdict: { .restoreFails(finding: .formatStreamMismatch, libvirt: "Not a migration stream") },
            change: { $0.setWord($0.word(at: 20) + 8, at: 20) }),
        Row(name: "data_len - 8", fixture: raw,
            verdict: { .restoreFails(finding: .formatStreamMismatch, libvirt: "Not a migration stream") },
            change: { $0.setWord($0.word(at: 20) - 8, at: 20) }),
        Row(name: "data_len = 0", fixture: raw,
            verdict: { .rejected(.invalidDataLength, libvirt: "invalid header data length: 0") },
            change: { $0.setWord(0, at: 20) }),
        Row(name: "cookie is not XML", fixture: raw,
            verdict: { .restoreFails(finding: .cookieInvalid, libvirt: "(save cookie):1: Start tag expected, '<' not found") },
            change: { replaceCookie(&$0, with: "this is not xml") }),
        Row(name: "cookie root is not <cookie>", fixture: raw,
            verdict: { .restoreFails(finding: .cookieInvalid, libvirt: "expecting root element of 'cookie', not 'notcookie'") },
            change: { replaceCookie(&$0, with: "<notcookie><slirpHelper/></notcookie>\n") }),
        Row(name: "cookie is <cookie/>", fixture: raw, verdict: { .restores },
            change: { replaceCookie(&$0, with: "<cookie/>\n") }),
        Row(name: "cookie has an unknown element before <cpu>", fixture: raw, verdict: { .restores }, change: { bytes in
            let l = layout(bytes)
            let text = String(decoding: cookie(l, bytes), as: UTF8.self)
                .replacingOccurrences(of: "<cookie>\n", with: "<cookie>\n  <unknown/>\n")
            overwriteRegion(&bytes, at: l.cookieOffset, with: Array(text.utf8) + [0])
        }),
        Row(name: "cookieOffset points into the zero padding", fixture: raw,
            verdict: { .restoreFails(finding: .cookieEmpty, libvirt: "(save cookie):1: Document is empty") },
            change: { bytes in let l = layout(bytes); bytes.setWord(UInt32(l.cookieOffset + l.cookieLength + 100), at: 32) }),
        Row(name: "cookieOffset points 2 bytes into the cookie", fixture: raw,
            verdict: { .restoreFails(finding: .cookieInvalid, libvirt: "Start tag expected, '<' not found") },
            change: { $0.setWord($0.word(at: 32) + 2, at: 32) }),
        Row(name: "cookieOffset = data_len (empty cookie)", fixture: raw, verdict: { .restores },
            change: { $0.setWord($0.word(at: 20), at: 32) }),
        Row(name: "cookieOffset = data_len + 1000 (libvirtd crashes)", fixture: raw,
            verdict: { .rejected(.cookieOffsetPastDataLength, libvirt: "crashes") },
            change: { $0.setWord($0.word(at: 20) + 1000, at: 32) }),
        Row(name: "cookieOffset = 0xffffffff", fixture: raw,
            verdict: { .rejected(.domainXMLPastEndOfFile, libvirt: "failed to read domain XML") },
            change: { $0.setWord(0xffff_ffff, at: 32) }),
        Row(name: "cookieOffset = 500, inside the domain XML", fixture: raw,
            verdict: { .rejected(.domainXMLNotTerminated, libvirt: "XML parse error") },
            change: { $0.setWord(500, at: 32) }),
        Row(name: "format 7", fixture: raw,
            verdict: { .restoreFails(finding: .formatUnsupported, libvirt: "Invalid compressed save format 7") },
            change: { $0.setWord(7, at: 28) }),
        Row(name: "format 5 (zstd)", fixture: raw,
            verdict: { .restoreFails(finding: .formatUnsupported, libvirt: "Invalid compressed save format 5") },
            change: { $0.setWord(5, at: 28) }),
        Row(name: "format says gzip, stream is raw", fixture: raw,
            verdict: { .restoreFails(finding: .formatStreamMismatch, libvirt: "restore hangs") },
            change: { $0.setWord(1, at: 28) }),
        Row(name: "format says raw, stream is gzip", fixture: gzip,
            verdict: { .restoreFails(finding: .formatStreamMismatch, libvirt: "Not a migration stream") },
            change: { $0.setWord(0, at: 28) }),
        Row(name: "gzip image with no stream at all", fixture: gzip,
            verdict: { .restoreFails(finding: .streamMissing, libvirt: "hangs") },
            change: { $0.removeSubrange(layout($0).streamOffset...) }),
        Row(name: "unused words 1..14", fixture: raw, verdict: { .restores },
            change: { bytes in for i in 0..<14 { bytes.setWord(UInt32(i + 1), at: 36 + 4 * i) } }),
        Row(name: "was_running 0 on a running guest", fixture: raw, verdict: { .restores },
            change: { $0.setWord(0, at: 24) }),
        Row(name: "was_running 7", fixture: raw, verdict: { .restores }, change: { $0.setWord(7, at: 24) }),
        Row(name: "7000 bytes of garbage after the stream", fixture: raw, verdict: { .restores },
            change: { $0 += (0..<7000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } }),
        Row(name: "no stream at all", fixture: raw,
            verdict: { .restoreFails(finding: .streamMissing, libvirt: "Not a migration stream") },
            change: { $0.removeSubrange(layout($0).streamOffset...) }),
        Row(name: "domain XML grown by 316 bytes, cookie moved, cookieOffset updated", fixture: raw,
            verdict: { .restores }, change: { bytes in
                let l = layout(bytes)
                let xml = String(decoding: bytes[92..<(92 + l.xmlLength)], as: UTF8.self)
                let description = "  <description>" + String(repeating: "x", count: 316 - 29) + "</description>\n"
                let grown = xml.replacingOccurrences(of: "  <uuid>", with: description + "  <uuid>")
                let region = Array(grown.utf8) + [0] + cookie(l, bytes) + [0]
                let padded = region + [UInt8](repeating: 0, count: l.dataLength - region.count)
                bytes.replaceSubrange(92..<l.streamOffset, with: padded)
                bytes.setWord(UInt32(grown.utf8.count + 1), at: 32)
            }),
    ]

    @Test(arguments: rows)
    func readerAgreesWithLibvirt(_ row: Row) throws {
        let image = try ModifiedImage(row.fixture, row.change)
        switch row.verdict() {
        case .restores:
            let read = try image.read()
            let failing = read.findings.filter { $0.severity == .restoreFails }
            #expect(failing.isEmpty, "unexpected restore failures: \(failing.map(\.message))")
        case .restoreFails(let code, let libvirt):
            let read = try image.read()
            let finding = read.findings.first { $0.code == code }
            #expect(finding?.severity == .restoreFails, "findings: \(read.findings.map(\.code))")
            #expect(finding?.libvirtMessage?.contains(libvirt) == true,
                    "libvirt message \(finding?.libvirtMessage ?? "none") lacks \(libvirt)")
        case .rejected(let code, let libvirt):
            let error = try #require(image.readError())
            #expect(error.code == code)
            #expect(error.libvirtMessage?.contains(libvirt) == true, "\(error)")
            #expect(error.path == image.path)
        }
    }
}
