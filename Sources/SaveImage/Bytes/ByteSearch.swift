import Glibc

/// Searches in-memory bytes with libc's vectorised `memchr` and `memcmp`
/// rather than a byte-at-a-time Swift loop: a data region's 64 KiB of
/// padding or a 100 KB domain XML is scanned at memory speed.
enum ByteSearch {
    /// The index of the first `byte` in `bytes[range]`, or nil if there is none.
    ///
    /// - Precondition: `range` lies within `bytes` (callers pass ranges of the array itself).
    static func firstIndex(of byte: UInt8, in bytes: [UInt8], range: Range<Int>) -> Int? {
        guard !range.isEmpty else { return nil }
        return bytes.withUnsafeBytes { buffer -> Int? in
            guard let base = buffer.baseAddress,
                  let found = memchr(base + range.lowerBound, Int32(byte), range.count) else { return nil }  // bounded: range within the buffer (callers pass in-memory ranges); a byte widens
            return base.distance(to: UnsafeRawPointer(found))
        }
    }

    /// Whether every byte of `bytes` is zero (true when it is empty).
    static func isAllZero(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, let first = buffer.first else { return true }
            // Byte 0 is zero and each byte equals the one after it.
            return first == 0 && memcmp(base, base + 1, buffer.count - 1) == 0  // bounded: count >= 1 here
        }
    }

    /// The number of bytes of `bytes` that are not zero.
    static func nonZeroCount(_ bytes: [UInt8]) -> Int {
        if isAllZero(bytes) { return 0 }
        return bytes.withUnsafeBytes { buffer in
            // Eight bytes at a time, without a branch per byte: fold each
            // byte's bits into its lowest bit, then count those bits.
            let words = buffer.count / 8  // bounded: in-memory size
            var count = 0
            for index in 0..<words {
                var word = buffer.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)  // bounded: index < count / 8
                word |= word >> 4
                word |= word >> 2
                word |= word >> 1
                count += (word & 0x0101_0101_0101_0101).nonzeroBitCount  // bounded: at most 8 per word
            }
            for byte in buffer[(words * 8)...] where byte != 0 { count += 1 }  // bounded: the last 0-7 bytes
            return count
        }
    }

    /// The number of `byte`s in `bytes`, counting no further than `limit`
    /// (one `memchr` jump per occurrence).
    static func count(of byte: UInt8, in bytes: [UInt8], upTo limit: Int) -> Int {
        var count = 0
        var position = 0
        while count < limit, let found = firstIndex(of: byte, in: bytes, range: position..<bytes.count) {
            count += 1  // bounded: count < limit
            position = found + 1  // bounded: found < bytes.count
        }
        return count
    }

    /// Whether any byte of `set` occurs in `text`'s UTF-8.
    static func containsAny(of set: [UInt8], in text: String) -> Bool {
        let contiguous = text.utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return set.contains { memchr(base, Int32($0), buffer.count) != nil }  // bounded: a byte widens
        }
        return contiguous ?? text.utf8.contains { set.contains($0) }
    }
}
