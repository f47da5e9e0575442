import CCrypto

/// Incremental SHA-256 through OpenSSL's libcrypto (the EVP digest API),
/// which picks the CPU's SHA extensions or AVX2 code where present.
///
/// Feed bytes with ``update(_:)`` and read the digest once with
/// ``finalize()``. The corresponding C functions are `EVP_MD_CTX_new`,
/// `EVP_DigestInit_ex(EVP_sha256())`, `EVP_DigestUpdate`,
/// `EVP_DigestFinal_ex` and `EVP_MD_CTX_free`.
final class SHA256Hasher {
    /// The digest length in bytes.
    static let byteCount = 32

    private let context: OpaquePointer
    private var failed = false
    private var finished = false

    /// A fresh SHA-256 state. Throws `.io` when libcrypto cannot allocate or
    /// initialise one (out of memory, or no provider offers SHA-256).
    init() throws(SaveImageError) {
        guard let context = EVP_MD_CTX_new() else {
            throw Self.failure("EVP_MD_CTX_new returned NULL")
        }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw Self.failure("EVP_DigestInit_ex(EVP_sha256()) failed")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Hashes `bytes` (ignored after ``finalize()``; a libcrypto failure is
    /// remembered and reported by ``finalize()``).
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard !finished, !failed, let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if EVP_DigestUpdate(context, base, bytes.count) != 1 { failed = true }
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
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let status = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        guard status == 1, Int(length) == Self.byteCount else {
            throw Self.failure("EVP_DigestFinal_ex failed (status \(status), \(length) bytes)")
        }
        return Array(digest.prefix(Self.byteCount))
    }

    /// The digest as 64 lowercase hexadecimal digits, as `sha256sum` prints it.
    func finalizeHex() throws(SaveImageError) -> String {
        let hexDigits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(2 * Self.byteCount)
        for byte in try finalize() {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func failure(_ what: String) -> SaveImageError {
        SaveImageError(.io, path: "", field: "SHA-256 (libcrypto)", expected: "a working digest context", found: what)
    }
}
