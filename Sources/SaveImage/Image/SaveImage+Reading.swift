extension SaveImage {
    /// The largest data region saveimg reads (libvirt writes ~64 KiB plus the XML).
    public static let maximumDataRegionSize: UInt32 = 64 * 1024 * 1024  // bounded: constant

    /// Opens `path` read-only and reads the image's metadata: the header, the
    /// data region and the stream's first bytes, never more. The image keeps
    /// the open file as its reader (``stream``).
    ///
    /// Checks are made in libvirt 9.0's order (`qemuSaveImageOpen`), so an
    /// image this throws for is one `virsh save-image-dumpxml` rejects, with
    /// the same meaning; ``SaveImageError/libvirtMessage`` holds libvirt's text.
    /// Reading writes nothing: an image saveimg's own interrupted edit left
    /// as `LibvirtQemudPart` throws `.incompleteSave` here, as libvirt refuses
    /// it; rolling that edit back is a step of its own (``SaveImage/open(_:recovery:)``
    /// in the writing layer, `saveimg recover`).
    public init(contentsOf path: String) throws(SaveImageError) {
        try self.init(reading: try PositionalFile(openingForReading: path))
    }

    /// Reads an image's metadata from an open file or from bytes in memory
    /// (``InMemoryFile``), and keeps `reader` for the stream.
    ///
    /// Readers take no lock, so an editor may rewrite the header in place
    /// while this reads (DESIGN.md, "Editing in place"). The header is read
    /// again after the data region: if it changed, the data region may belong
    /// to the other header, and the read starts over (a few times, then
    /// `.busy`). The editor's order (new chain, header, old chain zeroed)
    /// makes an unchanged header a consistent snapshot.
    public init(reading reader: any PositionalReader & Sendable) throws(SaveImageError) {
        let path = reader.path
        for _ in 0..<Self.consistentReadAttempts {
            let headerBytes = try reader.read(at: 0, count: SaveImageHeader.size)
            let header = try SaveImageHeader(parsing: headerBytes, path: path)
            try Self.checkRegionBounds(header, fileSize: reader.size, path: path)
            let regionBytes = try reader.read(at: UInt64(SaveImageHeader.size), count: Int(header.dataLength))  // bounded: a UInt32 fits in a 64-bit Int
            let streamLength = reader.size > header.streamOffset ? reader.size - header.streamOffset : 0  // bounded: checked in the same expression
            let stream = try StreamSource(reader: reader, offset: header.streamOffset, length: streamLength,
                                          format: header.effectiveFormat)
            guard try reader.read(at: 0, count: SaveImageHeader.size) == headerBytes else { continue }
            try self.init(header: header, regionBytes: regionBytes, stream: stream, fileSize: reader.size, path: path)
            return
        }
        throw SaveImageError(.busy, path: path, offset: 0, field: "header",
                             expected: "the same header before and after reading the data region",
                             found: "it changed \(Self.consistentReadAttempts) times (an editor is writing); try again")
    }

    /// How often ``init(reading:)`` starts over when the header changes under it.
    static let consistentReadAttempts = 5

    /// Builds an image from bytes already read: the header and exactly
    /// data_len region bytes, with `stream` where its stream is (for an
    /// edit planned from an image: the original's stream).
    public init(
        header: SaveImageHeader, regionBytes: [UInt8], stream: StreamSource, fileSize: UInt64, path: String = ""
    ) throws(SaveImageError) {
        guard regionBytes.count == Int(header.dataLength) else {  // bounded: a UInt32 fits in a 64-bit Int
            throw SaveImageError(.domainXMLPastEndOfFile, path: path, offset: UInt64(SaveImageHeader.size),
                                 field: "data_len", expected: "\(header.dataLength) bytes of data region",
                                 found: "\(regionBytes.count) bytes", libvirtMessage: "failed to read domain XML")
        }
        let region = try DataRegion(parsing: regionBytes, cookieOffset: header.cookieOffset, path: path)
        let domainElement = try XMLParser.parse(region.domainXML.bytes, name: "domain_definition", path: path,
                                                offset: region.domainXML.fileOffset)
        guard domainElement.name == "domain" else {
            throw SaveImageError(.unexpectedXML, path: path, offset: region.domainXML.fileOffset, field: "domain XML",
                                 expected: "root element <domain>", found: "<\(domainElement.name)>",
                                 libvirtMessage: "unexpected root element <\(domainElement.name)>, expecting <domain>")
        }
        self.path = path
        self.header = header
        self.region = region
        self.fileSize = fileSize
        self.stream = stream
        self.domain = try DomainSummary(element: domainElement, path: path, offset: region.domainXML.fileOffset)
        self.cookie = nil
        self.findings = []
        self.cookie = parseCookie()
        self.findings = computeFindings()
    }

    /// Builds an image from its header, region and the stream's first bytes
    /// only (tests and fuzzers working in memory; the rest of the stream is
    /// not at hand, so nothing past `streamPrefix` is read).
    public init(
        header: SaveImageHeader, regionBytes: [UInt8], streamPrefix: [UInt8], fileSize: UInt64, path: String = ""
    ) throws(SaveImageError) {
        try self.init(header: header, regionBytes: regionBytes,
                      stream: try StreamSource(head: streamPrefix, format: header.effectiveFormat, path: path),
                      fileSize: fileSize, path: path)
    }

    /// The bounds libvirt checks, in its order, before it parses any XML.
    static func checkRegionBounds(_ header: SaveImageHeader, fileSize: UInt64, path: String) throws(SaveImageError) {
        let headerSize = UInt64(SaveImageHeader.size)
        let xmlLength = UInt64(header.domainXMLReadLength)
        if headerSize + xmlLength > fileSize {  // bounded: 92 + a UInt32 < 2^33
            let field = header.cookieOffset != 0 ? "cookieOffset" : "data_len"
            throw SaveImageError(
                .domainXMLPastEndOfFile, path: path, offset: UInt64(HeaderField(rawValue: field)?.offset ?? 20),
                field: field, expected: "domain XML to end within the file (at most \(fileSize - min(fileSize, headerSize)) bytes)",
                found: "\(xmlLength) bytes, ending at offset \(headerSize + xmlLength) of \(fileSize)",
                libvirtMessage: "failed to read domain XML")
        }
        if header.cookieOffset > header.dataLength {
            throw SaveImageError(
                .cookieOffsetPastDataLength, path: path, offset: UInt64(HeaderField.cookieOffset.offset),
                field: "cookieOffset", expected: "at most data_len (\(header.dataLength))",
                found: "\(header.cookieOffset)",
                libvirtMessage: "libvirtd 9.0 crashes reading this image (connection lost); newer libvirt: "
                    + "invalid save image header: cookie offset exceeds data length")
        }
        if header.dataLength > header.domainXMLReadLength, header.streamOffset > fileSize {
            throw SaveImageError(
                .cookiePastEndOfFile, path: path, offset: UInt64(HeaderField.dataLength.offset), field: "data_len",
                expected: "the data region to end within the file (at most \(fileSize - headerSize) bytes)",
                found: "\(header.dataLength) bytes, ending at offset \(header.streamOffset) of \(fileSize)",
                libvirtMessage: "failed to read cookie")
        }
        if header.dataLength > maximumDataRegionSize {
            throw SaveImageError(
                .tooLarge, path: path, offset: UInt64(HeaderField.dataLength.offset), field: "data_len",
                expected: "at most \(maximumDataRegionSize) bytes", found: "\(header.dataLength) bytes")
        }
    }

    /// Parses the chain's first document as libvirt's cookie, if it is one.
    func parseCookie() -> SaveCookie? {
        guard let document = cookieDocument,
              let element = try? XMLParser.parse(document.bytes, name: "save cookie", path: path,
                                                 offset: document.fileOffset)
        else { return nil }
        return try? SaveCookie(element: element, path: path, offset: document.fileOffset)
    }
}
