import CSaveImageShims

/// Incremental SHA-256 through OpenSSL's libcrypto (the EVP digest API),
/// which picks the CPU's SHA extensions or AVX2 code where present.
///
/// Feed bytes with ``update(_:)`` and read the digest once with
/// ``finalize()``. The corresponding C functions are `EVP_MD_CTX_new`,
/// `EVP_DigestInit_ex(EVP_sha256())`, `EVP_DigestUpdate`,
/// `EVP_DigestFinal_ex` and `EVP_MD_CTX_free`, reached through
/// `CSaveImageShims` (libcrypto.so.3 is loaded on first use, not at start-up).
final class SHA256Hasher {
    /// The digest length in bytes.
    static let byteCount = 32

    private let context: UnsafeMutableRawPointer
    private var failed = false
    private var finished = false

    /// A fresh SHA-256 state. Throws `.io` when libcrypto cannot allocate or
    /// initialise one (out of memory, or no provider offers SHA-256).
    init() throws(SaveImageError) {
        if let error = saveimg_crypto_load() {
            throw Self.failure("libcrypto.so.3 could not be loaded (\(String(cString: error)); Debian: libssl3)")
        }
        guard let context = saveimg_sha256_new() else {
            throw Self.failure("EVP_MD_CTX_new or EVP_DigestInit_ex(EVP_sha256()) failed")
        }
        self.context = context
    }

    deinit { saveimg_sha256_free(context) }

    /// Hashes `bytes` (ignored after ``finalize()``; a libcrypto failure is
    /// remembered and reported by ``finalize()``).
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard !finished, !failed, let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if saveimg_sha256_update(context, base, bytes.count) != 1 { failed = true }
    }

    /// Hashes `bytes`.
    func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The 32-byte digest of everything passed to ``update(_:)``. Call once.
    func finalize() throws(SaveImageError) -> [UInt8] {
        guard !finished else { throw Self.failure("digest already finalised") }
        finished = true
        guard !failed else { throw Self.failure("EVP_DigestUpdate failed") }
        var digest = [UInt8](repeating: 0, count: 64)
        let status = digest.withUnsafeMutableBufferPointer { saveimg_sha256_final(context, $0.baseAddress) }
        guard status == 1 else { throw Self.failure("EVP_DigestFinal_ex failed or gave other than 32 bytes") }
        return Array(digest.prefix(Self.byteCount))
    }

    /// The digest as 64 lowercase hexadecimal digits, as `sha256sum` prints it.
    func finalizeHex() throws(SaveImageError) -> String {
        let hexDigits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * Self.byteCount)  // bounded: a 32-byte digest turned into hex; a byte widened to index 16 digits
        for byte in try finalize() {
            text.append(hexDigits[Int(byte >> 4)])  // bounded: a 32-byte digest turned into hex; a byte widened to index 16 digits
            text.append(hexDigits[Int(byte & 0x0f)])  // bounded: a 32-byte digest turned into hex; a byte widened to index 16 digits
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func failure(_ what: String) -> SaveImageError {
        SaveImageError(.io, path: "", field: "SHA-256 (libcrypto)", expected: "a working digest context", found: what)
    }
}
