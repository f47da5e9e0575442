/// One NUL-terminated document in the data region: the domain XML, the
/// cookie, or a later extension of the chain.
public struct ChainDocument: Hashable, Sendable {
    /// Offset of the document's first byte within the data region.
    public var regionOffset: UInt32
    /// The document's bytes, without the terminating NUL.
    public var bytes: [UInt8]
    /// False when the document runs to the end of the data region with no NUL.
    public var isTerminated: Bool

    public init(regionOffset: UInt32, bytes: [UInt8], isTerminated: Bool = true) {
        self.regionOffset = regionOffset
        self.bytes = bytes
        self.isTerminated = isTerminated
    }

    /// Offset of the document in the file (92 + regionOffset).
    public var fileOffset: UInt64 { UInt64(SaveImageHeader.size) + UInt64(regionOffset) }  // bounded: 92 + a UInt32 < 2^33

    /// Bytes the document occupies including its NUL.
    public var storedLength: Int { bytes.count + (isTerminated ? 1 : 0) }  // bounded: size of an in-memory array

    /// The document as text (invalid UTF-8 shown as U+FFFD).
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The name of the root element, read cheaply from the first tag, or nil.
    public var rootElementName: String? {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "<")) else { return nil }  // bounded: an ASCII constant
        var index = open + 1  // bounded: open < bytes.count
        // Skip a prolog such as <?xml ...?> or comments.
        while index < bytes.count, bytes[index] == UInt8(ascii: "?") || bytes[index] == UInt8(ascii: "!") {  // bounded: ASCII constants
            guard let next = bytes[index...].firstIndex(of: UInt8(ascii: "<")) else { return nil }  // bounded: an ASCII constant
            index = next + 1  // bounded: next < bytes.count
        }
        let end = bytes[index...].firstIndex { [0x20, 0x09, 0x0a, 0x0d, UInt8(ascii: ">"), UInt8(ascii: "/")].contains($0) }  // bounded: ASCII constants
        let name = String(decoding: bytes[index..<(end ?? bytes.endIndex)], as: UTF8.self)
        return name.isEmpty ? nil : name
    }
}
