import Foundation
import Testing
@testable import SaveImage

/// A cookie that is not XML, as each generation words libxml2's error
/// (measured by scripts/lab/cross-version-matrix.sh, row cookie-not-xml):
/// `(save cookie):1: ...` on 7.0 and 9.0, `at line 1: ...` on 11.3 and 12.8.
/// The reader's error says "line N column M" since the XML errors carry
/// their column; the release's wording must still come from the line.
@Suite("Verify: a cookie that is not XML, in each release's words")
struct VerifyCookieWordingTests {
    @Test(arguments: [("7.0", "(save cookie):1: Start tag expected, '<' not found"),
                      ("9.0", "(save cookie):1: Start tag expected, '<' not found"),
                      ("11.3", "at line 1: Start tag expected, '<' not found"),
                      ("12.8", "at line 1: Start tag expected, '<' not found")])
    func cookieNotXML(_ lab: String, _ message: String) throws {
        let directory = try TemporaryDirectory()
        let path = try VerifyLab.image("qemu64-raw-running.sav", cookie: .some("this is not xml"), at: directory)
        let verdict = try VerifyTargetCaptureTests.verifier(lab).verify(path: path)
        #expect(verdict.outcome == .willFail)
        let reason = try #require(verdict.reasons.first { $0.code == .cookieInvalid }, "\(verdict.reasons)")
        #expect(reason.libvirtMessage == message)
    }
}
