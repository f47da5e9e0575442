/// Sequential reads over the decoded stream's chunks, tracking the offset in
/// the raw stream and hashing every byte that passes (SHA-256).
///
/// Reads past the end throw a truncation error naming the offset. Hashing is
/// ``SHA256Hasher`` (OpenSSL's libcrypto, in the platform layer).
final class StreamCursor {
    private let next: () -> [UInt8]?
    private var chunk: [UInt8] = []
    private var index = 0
    private var chunkStart: UInt64 = 0
    private var exhausted = false
    private let hasher: SHA256Hasher?
    /// What is being read, for truncation messages ("section 3 (ram)").
    var context = "stream"
    /// When set, sees every byte as it is consumed (read, skipped), in order:
    /// a ``MigrationStreamObserver`` uses it to copy or hash regions.
    var tap: ((UnsafeRawBufferPointer) throws(SaveImageError) -> Void)?

    /// Throws only when libcrypto cannot set up a SHA-256 state.
    /// - Parameter hashing: false skips the SHA-256 of the stream (``digest()`` then fails).
    init(hashing: Bool = true, next: @escaping () -> [UInt8]?) throws(SaveImageError) {
        self.next = next
        self.hasher = hashing ? try SHA256Hasher() : nil
    }


    /// Hands `chunk[range]` to the tap, if any.
    private func consumed(_ range: Range<Int>) throws(SaveImageError) {
        guard let tap, !range.isEmpty else { return }
        try Self.withBytes(of: chunk, range) { (raw) throws(SaveImageError) in try tap(raw) }
    }

    /// Offset in the raw stream of the next byte.
    var offset: UInt64 { chunkStart + UInt64(index) }  // bounded: bytes seen so far (in memory, < 2^63)

    /// Fetches the next non-empty chunk; false at the end.
    private func advance() -> Bool {
        while index >= chunk.count {
            if exhausted { return false }
            chunkStart += UInt64(chunk.count)  // bounded: bytes seen so far (in memory, < 2^63)
            guard let fresh = next() else {
                exhausted = true
                chunk = []
                index = 0
                return false
            }
            hasher?.update(fresh)
            chunk = fresh
            index = 0
        }
        return true
    }

    private func truncated(_ wanted: String) -> SaveImageError {
        SaveImageError(.badStream, path: "", offset: offset, field: context,
                       expected: wanted, found: "end of stream (truncated)")
    }

    /// True when no byte is left.
    func atEnd() -> Bool { !advance() }

    func byte(_ what: String = "a byte") throws(SaveImageError) -> UInt8 {
        guard advance() else { throw truncated(what) }
        let value = chunk[index]
        index += 1  // bounded: index < chunk.count (advance() checked)
        if tap != nil { try consumed((index - 1)..<index) }  // bounded: index and counts within the current in-memory chunk (checked against chunk.count)
        return value
    }

    /// The big-endian integer at the cursor (QEMU writes every stream integer
    /// big-endian): one load from the current chunk when it holds the whole
    /// integer, else assembled from the bytes that straddle two chunks.
    func integer<Word: FixedWidthInteger>(_: Word.Type, _ what: String) throws(SaveImageError) -> Word {
        let size = MemoryLayout<Word>.size
        if advance(), chunk.count - index >= size {  // bounded: index <= chunk.count, in-memory sizes
            let value = chunk.withUnsafeBytes { Endianness.big.load(Word.self, from: $0, at: index) }
            index += size  // bounded: in range (checked above)
            if tap != nil { try consumed((index - size)..<index) }  // bounded: index and counts within the current in-memory chunk (checked against chunk.count)
            return value
        }
        return try ByteReader(try bytes(size, what), base: offset).integer(at: 0, as: Word.self, .big, field: what)
    }

    func u16(_ what: String) throws(SaveImageError) -> UInt16 { try integer(UInt16.self, what) }
    func u32(_ what: String) throws(SaveImageError) -> UInt32 { try integer(UInt32.self, what) }
    func u64(_ what: String) throws(SaveImageError) -> UInt64 { try integer(UInt64.self, what) }

    func bytes(_ count: Int, _ what: String) throws(SaveImageError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            guard advance() else { throw truncated(what) }
            let take = min(count - out.count, chunk.count - index)  // bounded: out.count < count, index < chunk.count
            out += chunk[index..<(index + take)]  // bounded: take <= chunk.count - index
            index += take  // bounded: take <= chunk.count - index
            if tap != nil { try consumed((index - take)..<index) }  // bounded: index and counts within the current in-memory chunk (checked against chunk.count)
        }
        return out
    }

    func skip(_ count: UInt64, _ what: String) throws(SaveImageError) {
        var left = count
        while left > 0 {
            guard advance() else { throw truncated(what) }
            let take = Int(min(left, UInt64(chunk.count - index)))  // bounded: at most chunk.count - index, an in-memory size
            index += take  // bounded: take <= chunk.count - index
            if tap != nil { try consumed((index - take)..<index) }  // bounded: index and counts within the current in-memory chunk (checked against chunk.count)
            left -= UInt64(take)  // bounded: take <= left
        }
    }

    /// Moves to the next occurrence of `byte` without consuming it; false
    /// (at the end) when there is none. One scan per chunk, not a peek per
    /// byte. The bytes passed over are consumed (and tapped).
    func skip(toNext byte: UInt8) throws(SaveImageError) -> Bool {
        while advance() {
            let start = index
            if let found = ByteSearch.firstIndex(of: byte, in: chunk, range: index..<chunk.count) {
                index = found
                if tap != nil { try consumed(start..<index) }
                return true
            }
            index = chunk.count
            if tap != nil { try consumed(start..<index) }
        }
        return false
    }

    /// Consumes `count` bytes and hands them to `body` in one contiguous
    /// buffer (a slice of the current chunk, or a copy when they straddle chunks).
    func withBytes<R>(
        _ count: Int, _ what: String, _ body: (UnsafeRawBufferPointer) throws(SaveImageError) -> R
    ) throws(SaveImageError) -> R {
        guard advance() else { throw truncated(what) }
        if index + count <= chunk.count {  // bounded: index and counts within the current in-memory chunk (checked against chunk.count)
            let start = index
            index += count  // bounded: index and counts within the current in-memory chunk (checked against chunk.count)
            if tap != nil { try consumed(start..<index) }
            return try Self.withBytes(of: chunk, start..<(start + count), body)  // bounded: index and counts within the current in-memory chunk (checked against chunk.count)
        }
        let copy = try bytes(count, what)
        return try Self.withBytes(of: copy, 0..<count, body)
    }

    /// `array[range]` as a raw buffer, with a typed throw (`withUnsafeBytes` only rethrows untyped).
    static func withBytes<R>(
        of array: [UInt8], _ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws(SaveImageError) -> R
    ) throws(SaveImageError) -> R {
        let result: Result<R, SaveImageError> = array.withUnsafeBytes { raw in
            do throws(SaveImageError) { return .success(try body(UnsafeRawBufferPointer(rebasing: raw[range]))) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Up to `count` bytes ahead without consuming them (fewer at the end).
    func peek(_ count: Int) -> [UInt8] {
        guard advance() else { return [] }
        if index + count <= chunk.count { return Array(chunk[index..<(index + count)]) }  // bounded: count is a small constant from the walker
        // Straddles chunks: join the rest of this chunk with following ones.
        var joined = Array(chunk[index...])
        while joined.count < count, let fresh = next() {
            hasher?.update(fresh)
            joined += fresh  // bounded: array append
        }
        chunkStart += UInt64(index)  // bounded: bytes seen so far (in memory, < 2^63)
        chunk = joined
        index = 0
        if joined.count < count { exhausted = true }
        return Array(joined.prefix(count))
    }

    /// Reads and hashes everything left; returns how many bytes that was.
    func drain() -> UInt64 {
        var count: UInt64 = 0
        while advance() {
            count += UInt64(chunk.count - index)  // bounded: bytes seen so far (in memory, < 2^63); index <= chunk.count
            index = chunk.count
        }
        return count
    }

    /// Consumes everything left, through the tap; returns how many bytes that was.
    func consumeRest() throws(SaveImageError) -> UInt64 {
        var count: UInt64 = 0
        while advance() {
            count += UInt64(chunk.count - index)  // bounded: index and counts within the current in-memory chunk (checked against chunk.count)
            let start = index
            index = chunk.count
            if tap != nil { try consumed(start..<index) }
        }
        return count
    }

    /// SHA-256 of every byte seen, as lowercase hex (call after ``drain()``).
    func digest() throws(SaveImageError) -> String {
        guard let hasher else {
            throw SaveImageError(.io, path: "", field: "stream digest", expected: "a hashing cursor", found: "hashing off")
        }
        return try hasher.finalizeHex()
    }
}
