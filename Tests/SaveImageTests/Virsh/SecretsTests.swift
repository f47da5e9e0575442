import Foundation
import Testing
@testable import SaveImage

/// Secrets in the domain XML of real lab images: what virsh hides without
/// --security-info, saveimg hides, byte for byte everything else as stored.
@Suite struct SecretsTests {
    /// virsh's two outputs differ in some lines (the ones with passwd). The
    /// stored XML has each "with" line; saveimg's hidden XML is the stored
    /// XML with exactly those lines replaced by virsh's "without" lines.
    @Test(arguments: SecretFixtures.images)
    func hidesWhatVirshHides(_ name: String) throws {
        let image = try SaveImage(contentsOf: SecretFixtures.path(name))
        let without = SecretFixtures.lines(try SecretFixtures.reference(name, "virsh-dumpxml.xml"))
        let with = SecretFixtures.lines(try SecretFixtures.reference(name, "virsh-dumpxml-security-info.xml"))
        #expect(without.count == with.count)
        let pairs = zip(with, without).filter { $0.0 != $0.1 }
        #expect(pairs.count == (name.contains("spice") ? 2 : 1))
        var expected = SecretFixtures.lines(image.region.domainXML.bytes)
        for (secret, hidden) in pairs {
            #expect(secret.contains("passwd="))
            let index = try #require(expected.firstIndex(of: secret))
            expected[index] = hidden
        }
        let hidden = try image.domainXML(securityInfo: false)
        #expect(SecretFixtures.lines(hidden) == expected)
        #expect(try image.domainXML(securityInfo: true) == image.region.domainXML.bytes)
        for password in SecretFixtures.passwords { #expect(!SecretFixtures.contains(hidden, password)) }
        #expect(image.domainSecrets.map(\.kind) == Array(repeating: .graphicsPassword, count: pairs.count))
    }

    @Test(arguments: SecretFixtures.images)
    func dumpxmlHidesByDefaultAndPrintsWithSecurityInfo(_ name: String) throws {
        let path = SecretFixtures.path(name)
        let image = try SaveImage(contentsOf: path)
        let plain = try CLI.run(["dumpxml", path])
        #expect(plain.status == 0)
        #expect(plain.stdout == (try image.domainXML(securityInfo: false)))
        #expect(!SecretFixtures.contains(plain.stdout, "vnc-pw42"))
        let all = try CLI.run(["dumpxml", "--all", path])
        #expect(!SecretFixtures.contains(all.stdout, "vnc-pw42"))
        let secure = try CLI.run(["dumpxml", "--security-info", path])
        #expect(secure.stdout == image.region.domainXML.bytes)
        #expect(SecretFixtures.contains(secure.stdout, "passwd='vnc-pw42'"))
    }

    /// JSON may end up in logs: no command's --json (nor text report) carries a password.
    @Test(arguments: SecretFixtures.images)
    func noJSONCarriesAPassword(_ name: String) throws {
        let path = SecretFixtures.path(name)
        for arguments in [["inspect", "--json", path], ["check", "--json", path], ["scan", "--json", path],
                          ["verify", "--json", path], ["inspect", path], ["diff-cpu", path], ["scan", path],
                          ["verify", path], ["ext", "list", path], ["dumpxml", "--cookie", path]] {
            let result = try CLI.run(arguments)
            #expect(!result.output.isEmpty, "\(arguments)")
            for password in SecretFixtures.passwords {
                #expect(!result.output.contains(password), "\(arguments)")
                #expect(!result.stderr.contains(password), "\(arguments)")
            }
        }
    }

    /// libvirt also hides a network disk's HTTP <cookies> (measured with
    /// virsh dumpxml on the 9.0 lab) and keeps its query and <auth>.
    @Test func cookiesAreHiddenAndAuthStays() throws {
        let xml = Array("""
            <domain type='qemu'>
              <name>c</name>
              <devices>
                <disk type='network' device='cdrom'>
                  <source protocol='https' name='/x.iso' query='token=abc'>
                    <host name='127.0.0.1' port='443'/>
                    <cookies>
                      <cookie name='sess'>cookieval1</cookie>
                    </cookies>
                    <auth username='u'>
                      <secret type='iscsi' usage='libvirtiscsi'/>
                    </auth>
                  </source>
                  <target dev='hdc' bus='ide'/>
                </disk>
                <graphics type="vnc" passwd="a&amp;b"/>
              </devices>
            </domain>

            """.utf8)
        let hidden = try DomainSecrets.hiding(in: xml)
        let text = String(decoding: hidden, as: UTF8.self)
        #expect(!text.contains("cookie"))
        #expect(!text.contains("passwd"))
        #expect(text.contains("query='token=abc'") && text.contains("<secret type='iscsi' usage='libvirtiscsi'/>"))
        #expect(text.contains("    <graphics type=\"vnc\"/>\n"))
        #expect(text.contains("<host name='127.0.0.1' port='443'/>\n        <auth username='u'>"))
        // Keeping puts both back, byte for byte.
        let secrets = try #require(DomainSecrets.find(in: xml))
        #expect(secrets.map(\.kind) == [.diskCookies, .graphicsPassword])
        #expect(secrets.first?.location == "disk 1's <source>")
        let kept = DomainSecrets.keeping(secrets, in: hidden)
        #expect(kept.kept.count == 2 && kept.dropped.isEmpty && kept.replaced.isEmpty)
        let restored = String(decoding: kept.bytes, as: UTF8.self)
        #expect(restored.contains("<cookie name='sess'>cookieval1</cookie>"))
        #expect(restored.contains("<graphics type=\"vnc\" passwd=\"a&amp;b\"/>"))
        #expect(try XMLParser.parse(kept.bytes, name: "x").withoutBlankText() == (try XMLParser.parse(xml, name: "x")).withoutBlankText())
    }

    /// Layouts the byte-level removal does not handle fall back to the
    /// parsed tree; a secret never comes out.
    @Test func oddLayoutsNeverLeak() throws {
        let xml = Array("<domain><devices><disk><source protocol='http'><cookies><cookie name='a'>v1</cookie></cookies></source></disk><graphics passwd='p1' type='vnc'/><!-- <graphics passwd='c'/> --></devices></domain>".utf8)
        let hidden = String(decoding: try DomainSecrets.hiding(in: xml), as: UTF8.self)
        #expect(!hidden.contains("v1") && !hidden.contains("'p1'"))
        #expect(hidden.contains("<graphics type='vnc'/>"))
        #expect(throws: SaveImageError.self) { try DomainSecrets.hiding(in: Array("<domain><graphics passwd='x'>".utf8)) }
    }
}

/// Hiding on damaged XML: it either refuses (not well-formed) or returns a
/// document that parses and holds no secret; it never crashes.
@Suite struct SecretsMutationTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func mutatedDomainXMLNeverLeaks() throws {
        let original = try SaveImage(contentsOf: SecretFixtures.path("vnc-spice-9.0")).region.domainXML.bytes
        let alphabet = Array("<>/='\" \n!-?[]&;passwdgraphicscookiessource".utf8)
        var random = Generator(state: 15)
        var refused = 0
        for _ in 0..<600 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[at] = alphabet.randomElement(using: &random) ?? 0x20
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet.randomElement(using: &random) ?? 0x20, at: at)
                }
            }
            do {
                let hidden = try DomainSecrets.hiding(in: bytes)
                let tree = try XMLParser.parse(hidden, name: "hidden")
                #expect(!DomainSecrets.containsSecret(tree))
            } catch {
                refused += 1
            }
        }
        #expect(refused < 600)  // most mutations still parse
    }
}
