extension DataRegion {
    /// Splits a complete data region (exactly data_len bytes) into the domain
    /// XML, the gap, the extension chain and the padding.
    ///
    /// - Parameters:
    ///   - bytes: the data region.
    ///   - cookieOffset: the header's cookieOffset (0 = no chain). The caller has
    ///     checked it is at most `bytes.count`.
    ///   - path: the file, for errors.
    /// - Throws: `.domainXMLNotTerminated` when no NUL ends the domain XML
    ///   before cookieOffset (or data_len): libvirt would then parse a cut or
    ///   run-on document. `.tooLarge` for a chain of more than
    ///   ``maximumDocuments`` documents.
    public init(parsing bytes: [UInt8], cookieOffset: UInt32, path: String = "") throws(SaveImageError) {
        // Callers reading a file check this first (in libvirt's order); the
        // in-memory API must still reject it rather than trap (found by fuzzing).
        guard UInt64(cookieOffset) <= UInt64(bytes.count) else {
            throw SaveImageError(
                .cookieOffsetPastDataLength, path: path, offset: UInt64(HeaderField.cookieOffset.offset),
                field: "cookieOffset", expected: "at most data_len (\(bytes.count))", found: "\(cookieOffset)")
        }
        let xmlLimit = cookieOffset != 0 ? Int(cookieOffset) : bytes.count  // bounded: a UInt32 fits in a 64-bit Int; <= bytes.count (checked above)
        guard let nul = ByteSearch.firstIndex(of: 0, in: bytes, range: 0..<xmlLimit) else {
            let boundary = cookieOffset != 0 ? "cookieOffset (\(cookieOffset))" : "data_len (\(bytes.count))"
            throw SaveImageError(
                .domainXMLNotTerminated, path: path, offset: UInt64(SaveImageHeader.size) + UInt64(xmlLimit),  // bounded: 92 + at most data_len (a UInt32) < 2^33
                field: "domain XML", expected: "a NUL terminating the domain XML before \(boundary)",
                found: "no NUL in the first \(xmlLimit) bytes of the data region",
                libvirtMessage: "XML parse error in the \(xmlLimit)-byte domain XML")
        }
        let xml = ChainDocument(regionOffset: 0, bytes: Array(bytes[0..<nul]))
        guard cookieOffset != 0 else {
            self.init(domainXML: xml, gap: Array(bytes[(nul + 1)...]))  // bounded: nul < bytes.count
            return
        }
        let chainStart = Int(cookieOffset)  // bounded: a UInt32 fits in a 64-bit Int; <= bytes.count (checked above)
        let chain = Self.splitDocuments(bytes, startingAt: chainStart, limit: Self.maximumDocuments + 1)  // bounded: constant
        if chain.count > Self.maximumDocuments {
            throw SaveImageError(
                .tooLarge, path: path, offset: chain[Self.maximumDocuments].fileOffset, field: "extension chain",
                expected: "at most \(Self.maximumDocuments) documents (saveimg's limit against hostile files; libvirt reads only the cookie)",
                found: "more than \(Self.maximumDocuments) documents: document \(Self.maximumDocuments + 1) starts here")
        }
        let chainEnd = chain.last.map { Int($0.regionOffset) + $0.storedLength } ?? chainStart  // bounded: a document's end within the region (in memory)
        self.init(domainXML: xml, gap: Array(bytes[(nul + 1)..<chainStart]), chain: chain,  // bounded: nul < cookieOffset = chainStart (the NUL was searched before it)
                  padding: Array(bytes[min(chainEnd, bytes.count)...]))
    }
}
