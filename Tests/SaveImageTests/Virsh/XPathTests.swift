import Foundation
import Testing
@testable import SaveImage

/// `dumpxml --xpath [--wrap]` against virsh's own `save-image-dumpxml --xpath` output.
@Suite struct XPathTests {
    @Test(arguments: SecretFixtures.images)
    func matchesVirsh(_ name: String) throws {
        let path = SecretFixtures.path(name)
        let graphics = try CLI.run(["dumpxml", "--xpath", "//graphics", path])
        #expect(graphics.status == 0, "\(graphics.stderr)")
        #expect(graphics.stdout == (try SecretFixtures.reference(name, "virsh-xpath-graphics.txt")))
        let wrapped = try CLI.run(["dumpxml", "--xpath", "//graphics/@port", "--wrap", path])
        #expect(wrapped.stdout == (try SecretFixtures.reference(name, "virsh-xpath-port-wrap.txt")))
        let refused = try CLI.run(["dumpxml", "--xpath", "string(//name)", path])
        #expect(refused.status == 1)
        let virsh = String(decoding: try SecretFixtures.reference(name, "virsh-xpath-string.txt"), as: UTF8.self)
        #expect(virsh.contains("Incorrect xpath 'string(//name)'") && refused.stderr.contains("Incorrect xpath 'string(//name)'"))
    }

    @Test func eachMatchItsOwnDocumentOrWrapped() throws {
        let path = SecretFixtures.path("vnc-11.3")
        let text = try CLI.run(["dumpxml", "--xpath", "/domain/name|/domain/memory", path]).output
        #expect(text == "<name>vp-secrets-11</name>\n<memory unit=\"KiB\">32768</memory>\n")
        let wrapped = try CLI.run(["dumpxml", "--xpath", "/domain/name|//name/text()", "--wrap", path]).output
        #expect(wrapped == "<nodes><name>vp-secrets-11</name>vp-secrets-11</nodes>\n")  // mixed content: libxml2 does not indent
        #expect(try CLI.run(["dumpxml", "--xpath", "//nothing", "--wrap", path]).output == "<nodes/>\n")
        #expect(try CLI.run(["dumpxml", "--xpath", "//nothing", path]).output == "")
    }

    @Test func secretsStayHiddenUnderXPath() throws {
        let path = SecretFixtures.path("vnc-spice-9.0")
        #expect(try CLI.run(["dumpxml", "--xpath", "//graphics/@passwd", path]).output == "")
        #expect(try CLI.run(["dumpxml", "--xpath", "//graphics/@passwd", "--security-info", path]).output
            == " passwd=\"vnc-pw42\"\n passwd=\"spice-s3cret-pw\"\n")
    }

    @Test func badExpressionsAndFlags() throws {
        let path = SecretFixtures.path("vnc-11.3")
        let invalid = try CLI.run(["dumpxml", "--xpath", "//[", path])
        #expect(invalid.status == 1 && invalid.stderr.contains("Invalid expression"))
        #expect(!invalid.stderr.contains("XPath error"))  // libxml2's own printing is silenced
        #expect(try CLI.run(["dumpxml", "--wrap", path]).status == 1)
        #expect(try CLI.run(["dumpxml", "-0", path]).status == 1)
        #expect(try CLI.run(["dumpxml", "--all", "--xpath", "/", path]).status == 1)
        // The cookie is a document too.
        #expect(try CLI.run(["dumpxml", "--cookie", "--xpath", "//cpu/@mode", path]).output == " mode=\"custom\"\n")
    }

    /// No entity is expanded and nothing is fetched while evaluating.
    @Test func entitiesAreNotExpanded() throws {
        let xml = Array("<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><d><a>&x;</a></d>".utf8)
        let out = String(decoding: try XPathQuery.evaluate("//a", on: xml, wrap: false), as: UTF8.self)
        #expect(!out.contains("root:"))
    }
}
