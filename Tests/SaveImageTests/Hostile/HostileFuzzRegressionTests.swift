import Foundation
import Testing
@testable import SaveImage

/// Inputs the libFuzzer target (Sources/saveimg-fuzz, scripts/fuzz.sh) found
/// crashing, rebuilt from a real fixture, each kept as a regression test.
@Suite struct HostileFuzzRegressionTests {
    /// crash-8d5566c8…: the public in-memory initialiser trapped (index out of
    /// range in DataRegion(parsing:)) when cookieOffset > data_len, a check
    /// only the file reader made.
    @Test(arguments: [UInt32(66854), 70000, 0xffff_ffff])
    func inMemoryCookieOffsetPastDataLength(cookieOffset: UInt32) throws {
        var bytes = try Fixtures.bytes("westmere-raw.sav")
        bytes.setWord(cookieOffset, at: 32)
        let header = try SaveImageHeader(parsing: Array(bytes[0..<92]))
        let region = Array(bytes[92..<(92 + Int(header.dataLength))])
        let imageError = #expect(throws: SaveImageError.self) {
            try SaveImage(header: header, regionBytes: region, streamPrefix: [], fileSize: UInt64(bytes.count))
        }
        #expect(imageError?.code == .cookieOffsetPastDataLength)
        #expect(imageError?.field == "cookieOffset")
        let regionError = #expect(throws: SaveImageError.self) {
            try DataRegion(parsing: region, cookieOffset: cookieOffset)
        }
        #expect(regionError?.code == .cookieOffsetPastDataLength)
    }
}
