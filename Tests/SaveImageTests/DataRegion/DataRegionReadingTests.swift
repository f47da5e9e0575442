import Testing
@testable import SaveImage

/// The data region of a real image: the documents after the cookie are the
/// extension chain; with cookieOffset 0 the documents libvirt ignores are reported.
@Suite struct DataRegionReadingTests {
    @Test func extraDocumentsAreTheExtensionChain() throws {
        let image = try ModifiedImage(LibvirtReadingTableTests.raw, LibvirtReadingTableTests.extraDocuments).read()
        #expect(image.extensions.map(\.text) == ["<first-ext a='1'/>", "<second-ext>text</second-ext>"])
        #expect(image.extensions.map(\.rootElementName) == ["first-ext", "second-ext"])
        #expect(image.findings.filter { $0.code == .extensionPresent }.count == 2)
    }

    @Test func cookieOffsetZeroReportsIgnoredDocuments() throws {
        let image = try ModifiedImage(LibvirtReadingTableTests.raw) { $0.setWord(0, at: 32) }.read()
        #expect(image.cookieDocument == nil)
        #expect(image.region.ignoredDocuments.map(\.rootElementName) == ["cookie"])
        #expect(image.findings.contains { $0.code == .documentsIgnored })
    }
}
