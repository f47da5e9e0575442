extension SaveImageHeader {
    /// Decodes a header from its 92 bytes the way libvirt does, and checks what
    /// libvirt checks before it reads the data region: the magic, the version
    /// (byte-swapping the five defined words if `version > 2`) and data_len.
    ///
    /// - Parameters:
    ///   - bytes: at least the first 92 bytes of the file; fewer is an error.
    ///   - path: the file name, for errors.
    /// - Throws: ``SaveImageError`` with libvirt's message for each rejection.
    public init(parsing bytes: [UInt8], path: String = "") throws(SaveImageError) {
        guard bytes.count >= Self.size else {
            throw SaveImageError(
                .truncatedHeader, path: path, offset: UInt64(bytes.count), field: "header",
                expected: "\(Self.size) bytes", found: "\(bytes.count) bytes",
                libvirtMessage: "failed to read qemu header")
        }
        let magic = HeaderMagic(bytes: Array(bytes[0..<16]))
        try Self.checkMagic(magic, path: path)
        let order = try Self.detectByteOrder(bytes, path: path)
        self.init(decoding: bytes, magic: magic, byteOrder: order)
        guard dataLength != 0 else {
            throw SaveImageError(
                .invalidDataLength, path: path, offset: UInt64(HeaderField.dataLength.offset), field: "data_len",
                expected: "a non-zero length", found: "0",
                libvirtMessage: "invalid header data length: 0")
        }
    }

    /// Decodes the words in `order` with no checks.
    init(decoding bytes: [UInt8], magic: HeaderMagic, byteOrder order: ByteOrder) {
        self.init(
            magic: magic,
            version: order.word(in: bytes, at: HeaderField.version.offset),
            dataLength: order.word(in: bytes, at: HeaderField.dataLength.offset),
            wasRunning: order.word(in: bytes, at: HeaderField.wasRunning.offset),
            format: CompressionFormat(rawValue: order.word(in: bytes, at: HeaderField.format.offset)),
            cookieOffset: order.word(in: bytes, at: HeaderField.cookieOffset.offset),
            unused: (0..<Self.unusedWordCount).map { order.word(in: bytes, at: HeaderField.unused.offset + 4 * $0) },  // bounded: constant offsets, index 0..<14
            byteOrder: order)
    }

    static func checkMagic(_ magic: HeaderMagic, path: String) throws(SaveImageError) {
        if magic == .complete { return }
        if magic == .partial {
            throw SaveImageError(
                .incompleteSave, path: path, offset: 0, field: "magic",
                expected: "LibvirtQemudSave", found: "LibvirtQemudPart (the save did not finish)",
                libvirtMessage: "save image is incomplete")
        }
        throw SaveImageError(
            .badMagic, path: path, offset: 0, field: "magic",
            expected: "LibvirtQemudSave", found: "'\(magic.printable)'",
            libvirtMessage: "image magic is incorrect")
    }

    /// libvirt's rule: read the version in host (here: little-endian) order;
    /// if it is above 2, swap; if still above 2, reject with the swapped value.
    static func detectByteOrder(_ bytes: [UInt8], path: String) throws(SaveImageError) -> ByteOrder {
        let offset = HeaderField.version.offset
        if ByteOrder.little.word(in: bytes, at: offset) <= currentVersion { return .little }
        let swapped = ByteOrder.big.word(in: bytes, at: offset)
        if swapped <= currentVersion { return .big }
        let shown = Int32(bitPattern: swapped)
        throw SaveImageError(
            .unsupportedVersion, path: path, offset: UInt64(offset), field: "version",
            expected: "0, 1 or 2 in either byte order",
            found: "\(ByteOrder.little.word(in: bytes, at: offset)) (little-endian), \(swapped) (big-endian)",
            libvirtMessage: "image version is not supported (\(shown) > \(currentVersion))")
    }
}
