import Testing
@testable import SaveImage

@Suite("SHA-256 through libcrypto")
struct SHA256HasherTests {
    /// `sha256sum` of `bytes`, as its 64 hex digits.
    private func sha256sum(_ bytes: [UInt8]) throws -> String {
        let result = try StreamFixtures.run("/usr/bin/sha256sum", [], input: bytes)
        #expect(result.status == 0)
        return String(decoding: result.output.prefix(64), as: UTF8.self)
    }

    @Test("no input: the digest sha256sum gives for an empty file")
    func empty() throws {
        let hasher = try SHA256Hasher()
        hasher.update([])
        #expect(try hasher.finalizeHex() == sha256sum([]))
    }

    @Test("a real fixture fed in uneven pieces hashes like sha256sum of the whole file",
          arguments: [1, 63, 64, 65, 4096, 1 << 20])
    func pieces(size: Int) throws {
        let bytes = try Fixtures.bytes("qemu64-gzip.sav")
        let hasher = try SHA256Hasher()
        var start = 0
        var piece = size
        while start < bytes.count {
            let end = min(bytes.count, start + piece)
            hasher.update(Array(bytes[start..<end]))
            start = end
            piece = piece == size ? size * 3 + 1 : size  // alternate two lengths
        }
        let digest = try hasher.finalizeHex()
        #expect(digest.count == 64)
        #expect(digest == (try sha256sum(bytes)))
    }

    @Test("the digest is read once: a second finalize is an error, not a different digest")
    func finalizeOnce() throws {
        let hasher = try SHA256Hasher()
        hasher.update(Array("saveimg".utf8))
        #expect(try hasher.finalize().count == SHA256Hasher.byteCount)
        #expect(throws: SaveImageError.self) { try hasher.finalize() }
    }
}
