import Testing
@testable import SaveImage

/// The 92-byte header of a real image: libvirt's byte-order rule, the
/// truncated header and the version message libvirt prints.
@Suite struct HeaderReadingTests {
    @Test func bigEndianHeaderReadsAndWritesBackInItsOrder() throws {
        let modified = try ModifiedImage(LibvirtReadingTableTests.raw) { LibvirtReadingTableTests.swapAllWords(&$0) }
        let image = try modified.read()
        #expect(image.header.byteOrder == .big)
        #expect(image.header.version == 2)
        #expect(image.header.dataLength == 66802)
        #expect(image.header.cookieOffset == 1030)
        #expect(image.header.serialized() == Array(modified.bytes[0..<92]))
    }

    @Test func truncatedHeaderIsRejected() throws {
        for length in [0, 1, 16, 20, 91] {
            let image = try ModifiedImage(LibvirtReadingTableTests.raw) { $0.removeSubrange(length...) }
            let error = try #require(image.readError())
            #expect(error.code == .truncatedHeader)
            #expect(error.libvirtMessage == "failed to read qemu header")
        }
    }

    @Test func versionErrorShowsTheSignedSwappedValue() throws {
        let error = try #require(try ModifiedImage(LibvirtReadingTableTests.raw) { $0.setWord(0xffff_ff7f, at: 16) }.readError())
        #expect(error.libvirtMessage == "image version is not supported (2147483647 > 2)")
        let negative = try #require(try ModifiedImage(LibvirtReadingTableTests.raw) { $0.setWord(0x0000_0080, at: 16) }.readError())
        #expect(negative.libvirtMessage == "image version is not supported (-2147483648 > 2)")
    }
}
