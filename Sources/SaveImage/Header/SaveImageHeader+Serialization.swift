extension SaveImageHeader {
    /// The header's 92 bytes, with the defined and unused words in ``byteOrder``.
    ///
    /// Decoding and re-encoding an unchanged header gives the same bytes.
    public func serialized() -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.size)
        bytes.append(contentsOf: magic.bytes.prefix(16))
        bytes.append(contentsOf: repeatElement(0, count: max(0, 16 - magic.bytes.count)))  // bounded: max(0, ...) of an in-memory size
        for word in [version, dataLength, wasRunning, format.rawValue, cookieOffset] {
            bytes.appendInteger(word, byteOrder.endianness)
        }
        for index in 0..<Self.unusedWordCount {
            bytes.appendInteger(index < unused.count ? unused[index] : 0, byteOrder.endianness)
        }
        return bytes
    }
}
