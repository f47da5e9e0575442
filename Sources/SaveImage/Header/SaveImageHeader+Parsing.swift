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
            // libvirt reads 92 bytes before it looks at the magic; say what the few bytes are.
            let magic = Array("LibvirtQemud".utf8)
            let saveImage = bytes.starts(with: magic.prefix(bytes.count)) || bytes.starts(with: magic)
            let what = saveImage ? "" : " (not a save image: it does not start with LibvirtQemudSave)"
            throw SaveImageError(
                .truncatedHeader, path: path, offset: UInt64(bytes.count), field: "header",
                expected: "\(Self.size) bytes", found: "\(bytes.count) bytes\(what)",
                libvirtMessage: "failed to read qemu header")
        }
        let magic = HeaderMagic(bytes: Array(bytes[0..<16]))
        try Self.checkMagic(magic, path: path)
        let order = try Self.detectByteOrder(bytes, path: path)
        try self.init(decoding: ByteReader(bytes, path: path, code: .truncatedHeader), magic: magic, byteOrder: order)
        guard dataLength != 0 else {
            throw SaveImageError(
                .invalidDataLength, path: path, offset: UInt64(HeaderField.dataLength.offset), field: "data_len",
                expected: "a non-zero length", found: "0",
                libvirtMessage: "invalid header data length: 0")
        }
    }

    /// Decodes the words in `order` with no checks of their values.
    init(decoding header: ByteReader, magic: HeaderMagic, byteOrder order: ByteOrder) throws(SaveImageError) {
        func word(_ field: HeaderField, _ index: Int = 0) throws(SaveImageError) -> UInt32 {
            try header.integer(at: field.offset + 4 * index, as: UInt32.self, order.endianness, field: field.rawValue)  // bounded: constant offsets, index 0..<14
        }
        var unused: [UInt32] = []
        for index in 0..<Self.unusedWordCount { unused.append(try word(.unused, index)) }
        self.init(
            magic: magic, version: try word(.version), dataLength: try word(.dataLength), wasRunning: try word(.wasRunning),
            format: CompressionFormat(rawValue: try word(.format)), cookieOffset: try word(.cookieOffset),
            unused: unused, byteOrder: order)
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
        let header = ByteReader(bytes, path: path, code: .truncatedHeader)
        let host = try header.integer(at: offset, as: UInt32.self, .little, field: "version")
        if host <= currentVersion { return .little }
        let swapped = try header.integer(at: offset, as: UInt32.self, .big, field: "version")
        if swapped <= currentVersion { return .big }
        let shown = Int32(bitPattern: swapped)
        throw SaveImageError(
            .unsupportedVersion, path: path, offset: UInt64(offset), field: "version",
            expected: "0, 1 or 2 in either byte order",
            found: "\(host) (little-endian), \(swapped) (big-endian)",
            libvirtMessage: "image version is not supported (\(shown) > \(currentVersion))")
    }
}
