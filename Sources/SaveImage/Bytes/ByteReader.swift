/// The order of an integer's bytes in a file or stream: libvirt's header
/// words are in the saving host's order, QEMU's stream is big-endian,
/// saveimg's journal little-endian.
public enum Endianness: Sendable, Hashable {
    case big, little

    /// The integer stored in `raw[offset..<offset + size]` in this order.
    /// The one place saveimg assembles an integer from bytes.
    /// - Precondition: the bytes are there (``ByteReader`` and the stream
    ///   cursor check; this is their shared last step).
    @inline(__always)
    func load<T: FixedWidthInteger>(_: T.Type, from raw: UnsafeRawBufferPointer, at offset: Int) -> T {
        let value = raw.loadUnaligned(fromByteOffset: offset, as: T.self)
        return self == .big ? T(bigEndian: value) : T(littleEndian: value)
    }

    /// The integer at `offset` of `bytes`, or nil when the bytes end before it.
    public func integer<T: FixedWidthInteger>(_: T.Type, in bytes: [UInt8], at offset: Int) -> T? {
        guard offset >= 0, bytes.count - offset >= MemoryLayout<T>.size else { return nil }  // bounded: 0 <= offset, both in-memory sizes
        return bytes.withUnsafeBytes { load(T.self, from: $0, at: offset) }
    }

    /// The unsigned integer `bytes` hold in this order, for fields of any
    /// width up to 8 bytes (QEMU's vmstate fields: 1, 2, 4 or 8); nil when wider.
    public func unsigned(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard bytes.count <= 8 else { return nil }
        let ordered = self == .big ? Array(bytes) : Array(bytes.reversed())
        var value: UInt64 = 0
        for byte in ordered { value = value << 8 | UInt64(byte) }  // bounded: at most 8 bytes, nothing shifted out
        return value
    }

    /// `value`'s bytes in this order.
    public func bytes<T: FixedWidthInteger>(of value: T) -> [UInt8] {
        withUnsafeBytes(of: self == .big ? value.bigEndian : value.littleEndian) { Array($0) }
    }
}

/// Reads integers and byte runs from bytes in memory with explicit
/// endianness, checking every read against the bytes' end (swift-nio's
/// `ByteBuffer` integer API is the model). A read that runs past the end
/// throws a ``SaveImageError`` naming the file, the file offset and the
/// field, so a parser never indexes past what it read.
public struct ByteReader: Sendable {
    /// The bytes read from.
    public let bytes: [UInt8]
    /// The file offset of `bytes[0]`, for errors.
    public let base: UInt64
    /// The file, for errors.
    public let path: String
    /// The code a read past the end throws with (``SaveImageError/Code/badStream`` unless told).
    public let code: SaveImageError.Code
    /// The index of the next byte ``readInteger(_:_:field:)`` and ``readBytes(_:field:)`` take.
    public private(set) var readerIndex = 0

    public init(_ bytes: [UInt8], path: String = "", base: UInt64 = 0, code: SaveImageError.Code = .badStream) {
        self.bytes = bytes
        self.path = path
        self.base = base
        self.code = code
    }

    /// Bytes not read yet.
    public var readableBytes: Int { bytes.count - readerIndex }  // bounded: readerIndex <= bytes.count, kept by every read

    /// The integer at `index` (not moving ``readerIndex``).
    public func integer<T: FixedWidthInteger>(
        at index: Int, as type: T.Type = T.self, _ endianness: Endianness, field: String
    ) throws(SaveImageError) -> T {
        guard let value = endianness.integer(T.self, in: bytes, at: index) else {
            throw pastEnd(index, MemoryLayout<T>.size, field)
        }
        return value
    }

    /// The integer at ``readerIndex``; moves past it.
    public mutating func readInteger<T: FixedWidthInteger>(
        as type: T.Type = T.self, _ endianness: Endianness, field: String
    ) throws(SaveImageError) -> T {
        let value = try integer(at: readerIndex, as: T.self, endianness, field: field)
        readerIndex += MemoryLayout<T>.size  // bounded: the read above proved readerIndex + size <= bytes.count
        return value
    }

    /// `count` bytes at ``readerIndex``; moves past them.
    public mutating func readBytes(_ count: Int, field: String) throws(SaveImageError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= readableBytes else { throw pastEnd(readerIndex, count, field) }
        defer { readerIndex += count }  // bounded: count <= readableBytes (checked above)
        return bytes[readerIndex..<(readerIndex + count)]  // bounded: as above
    }

    private func pastEnd(_ index: Int, _ count: Int, _ field: String) -> SaveImageError {
        let at = index >= 0 ? base + UInt64(index) : base  // bounded: an index into bytes held in memory
        return SaveImageError(code, path: path, offset: at, field: field, expected: "\(count) bytes",
                              found: "\(max(0, bytes.count - max(0, index))) bytes before the end of what was read")
    }
}

/// Builds bytes with explicit endianness: the writing side of ``ByteReader``.
public struct ByteWriter: Sendable {
    /// What was written so far.
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// Appends `value` in `endianness`.
    public mutating func writeInteger<T: FixedWidthInteger>(_ value: T, _ endianness: Endianness) {
        withUnsafeBytes(of: endianness == .big ? value.bigEndian : value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends `run` as it is.
    public mutating func writeBytes(_ run: some Sequence<UInt8>) { bytes.append(contentsOf: run) }
}

extension Array where Element == UInt8 {
    /// Appends `value` in `endianness` (``ByteWriter`` on an existing array).
    public mutating func appendInteger<T: FixedWidthInteger>(_ value: T, _ endianness: Endianness) {
        Swift.withUnsafeBytes(of: endianness == .big ? value.bigEndian : value.littleEndian) { append(contentsOf: $0) }
    }
}
