import Foundation
import Testing
@testable import SaveImage

/// Value-level edits on every libvirt 9.0 fixture: exactly the intended change.
@Suite("Edit content (value level)")
struct EditContentTests {
    @Test("libvirt's cookie bytes are what XMLElement.formatted() writes", arguments: Fixtures.libvirt90Images)
    func cookieFormattingMatchesLibvirt(_ name: String) throws {
        let image = try SaveImage(contentsOf: Fixtures.path(name))
        let cookie = try #require(image.cookie)
        #expect(Array(cookie.element.formatted().utf8) == image.cookieDocument?.bytes)
    }

    @Test("the five XML specials are escaped byte by byte, also before a combining mark; the output parses back")
    func escapingIsByteWise() throws {
        // "<" + U+0301 is one Swift Character that is not "<": a per-Character escape missed it.
        let value = "a<\u{301}b & 'c' \"d\" >é"
        #expect(XMLElement.escape(value) == "a&lt;\u{301}b &amp; &apos;c&apos; &quot;d&quot; &gt;é")
        #expect(XMLElement.escape("plain text, ünïcode") == "plain text, ünïcode")
        let element = XMLElement(name: "description", attributes: [(name: "note", value: value)], children: [.text(value)])
        let parsed = try XMLParser.parse(Array(element.formatted().utf8), name: "description")
        #expect(parsed.attributePairs.first?.value == value)
        if case .text(let text)? = parsed.children.first { #expect(text == value) } else { Issue.record("no text child") }
    }

    @Test("add-cpu-ext replaces only the cookie's <cpu>", arguments: Fixtures.libvirt90Images)
    func settingCookieCPU(_ name: String) throws {
        let image = try SaveImage(contentsOf: Fixtures.path(name))
        let cpu = try EditFixtures.updatedCPU(for: image)
        let content = try image.settingCookieCPU(cpu)
        #expect(content.domainXML == image.region.domainXML.bytes)
        #expect(content.wasRunning == image.header.wasRunning)
        #expect(content.chain.count == max(1, image.region.chain.count))
        let cookie = try SaveCookie(element: try XMLParser.parse(content.chain[0], name: "cookie"))
        #expect(cookie.cpu?.element.withoutBlankText() == cpu.withoutBlankText())
        #expect(cookie.otherElementNames == (image.cookie?.otherElementNames ?? []))
        #expect(Array(content.chain.dropFirst()) == image.extensions.map(\.bytes))
    }

    @Test("add-cpu-ext refuses another model unless forced")
    func modelMismatch() throws {
        let image = try SaveImage(contentsOf: Fixtures.path("qemu64-raw-running.sav"))
        let westmere = try CPUXML.parse(EditFixtures.cpuXML(model: "Westmere", features: ["arat"]), path: "cpu.xml")
        #expect(throws: SaveImageError.self) { try image.settingCookieCPU(westmere) }
        let forced = try image.settingCookieCPU(westmere, force: true)
        #expect(String(decoding: forced.chain[0], as: UTF8.self).contains("Westmere"))
    }

    @Test("CPU XML validation rejects bad roots, names and policies")
    func cpuValidation() {
        #expect(throws: SaveImageError.self) { try CPUXML.parse(Array("<cookie/>".utf8), path: "x") }
        #expect(throws: SaveImageError.self) { try CPUXML.parse(Array("<cpu><model>We st</model></cpu>".utf8), path: "x") }
        #expect(throws: SaveImageError.self) { try CPUXML.parse(Array("<cpu><feature name='a&lt;b'/></cpu>".utf8), path: "x") }
        #expect(throws: SaveImageError.self) { try CPUXML.parse(Array("<cpu><feature name='arat' policy='maybe'/></cpu>".utf8), path: "x") }
        #expect(throws: SaveImageError.self) { try CPUXML.parse(Array("<cpu>".utf8), path: "x") }
        #expect((try? CPUXML.parse(Array("<cpu><model>Skylake-Client-IBRS</model><feature name='sse4.2'/></cpu>".utf8), path: "x")) != nil)
    }

    @Test("extensions: add then remove gives the original chain", arguments: Fixtures.libvirt90Images)
    func extensionRoundTrip(_ name: String) throws {
        let image = try SaveImage(contentsOf: Fixtures.path(name))
        let document = Array("<saveimg-test n='1'>payload</saveimg-test>".utf8)
        let added = try image.addingExtension(document)
        #expect(added.chain.last == document)
        #expect(added.chain.dropLast() == image.region.chain.map(\.bytes)[...])
        var edited = image
        edited.region.chain = added.chain.enumerated().map { ChainDocument(regionOffset: 0, bytes: $0.element) }
        let removed = try edited.removingExtension(at: edited.extensions.count)
        #expect(removed.chain == image.region.chain.map(\.bytes))
        #expect(throws: SaveImageError.self) { try image.removingExtension(at: image.extensions.count + 1) }
        #expect(throws: SaveImageError.self) { try image.addingExtension([0x3c, 0x00]) }
    }

    @Test("define refuses ABI changes with libvirt's messages")
    func defineABI() throws {
        let image = try SaveImage(contentsOf: Fixtures.path("westmere-raw.sav"))
        let xml = image.region.domainXML.text
        let cases: [(String, String, String)] = [
            ("<memory unit='KiB'>32768</memory>", "<memory unit='KiB'>65536</memory>",
             "Target domain max memory 65536 does not match source 32768"),
            ("<model fallback='forbid'>Westmere</model>", "<model fallback='forbid'>qemu64</model>",
             "Target CPU model qemu64 does not match source Westmere"),
            ("<vcpu placement='static'>1</vcpu>", "<vcpu placement='static'>2</vcpu>",
             "Target domain vCPU max 2 does not match source 1"),
            ("arch='x86_64'", "arch='i686'", "Target domain architecture i686 does not match source x86_64"),
            ("<memballoon model='none'/>", "<memballoon model='none'/><watchdog model='i6300esb'/>",
             "Target domain watchdog count 1 does not match source 0"),
        ]
        for (from, to, message) in cases {
            #expect(xml.contains(from), "fixture lacks \(from)")
            let changed = Array(xml.replacingOccurrences(of: from, with: to).utf8)
            do {
                _ = try image.replacingDomainXML(changed)
                Issue.record("accepted \(to)")
            } catch {
                #expect(error.libvirtMessage == message)
            }
            #expect((try? image.replacingDomainXML(changed, force: true))?.domainXML == changed)
        }
        let described = Array(xml.replacingOccurrences(of: "</name>", with: "</name>\n  <description>ok</description>").utf8)
        let content = try image.replacingDomainXML(described)
        #expect(content.domainXML == described)
        #expect(content.chain == image.region.chain.map(\.bytes))
    }

    @Test("set-state changes was_running only", arguments: Fixtures.libvirt90Images)
    func setState(_ name: String) throws {
        let image = try SaveImage(contentsOf: Fixtures.path(name))
        for running in [true, false] {
            var expected = image.content
            expected.wasRunning = running ? 1 : 0
            #expect(image.settingWasRunning(running) == expected)
        }
    }

    @Test("repair: --from-domain moves the domain CPU to the cookie and restores the original, byte for byte")
    func repair() throws {
        let image = try SaveImage(contentsOf: Fixtures.path("westmere-raw.sav"))
        let originalCPU = try #require(image.domain.cpu).element
        let updated = try #require(image.cookie?.cpu).element
        // The 2017 regression: the domain XML holds the updated CPU.
        let regressedXML = try DomainXMLSplice.replacingCPU(in: image.region.domainXML.bytes, parsed: image.domain.element,
                                                            with: updated, path: "")
        let regressed = try image.replacingDomainXML(regressedXML, force: true)
        var header = image.header
        header.cookieOffset = UInt32(regressed.domainXML.count + 1)
        let regressedImage = try SaveImage(
            header: header, regionBytes: WritePlanTestHelper.region(regressed, length: Int(image.header.dataLength)),
            streamPrefix: image.streamPrefix, fileSize: image.fileSize)
        #expect(regressedImage.domain.cpu?.features.count == 3)
        let repaired = try regressedImage.movingDomainCPUToCookie(originalCPU: originalCPU)
        #expect(repaired.domainXML == image.region.domainXML.bytes)
        let cookie = try SaveCookie(element: try XMLParser.parse(repaired.chain[0], name: "cookie"))
        #expect(cookie.cpu?.features == image.cookie?.cpu?.features)
        #expect(cookie.otherElementNames == image.cookie?.otherElementNames)
    }
}

/// Lays content out as libvirt does (for building in-memory images in tests).
enum WritePlanTestHelper {
    static func region(_ content: ImageContent, length: Int) -> [UInt8] {
        var bytes = content.domainXML + [0] + content.chainBytes
        bytes += [UInt8](repeating: 0, count: max(0, length - bytes.count))
        return bytes
    }
}
