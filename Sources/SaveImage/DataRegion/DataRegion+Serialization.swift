extension DataRegion {
    /// The region's bytes: domain XML, NUL, gap, chain documents each with
    /// their NUL, padding. For a region parsed from a file this is the bytes
    /// it was parsed from.
    public func serialized() -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        append(domainXML, to: &bytes)
        bytes.append(contentsOf: gap)
        for document in chain { append(document, to: &bytes) }
        bytes.append(contentsOf: padding)
        return bytes
    }

    private func append(_ document: ChainDocument, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: document.bytes)
        if document.isTerminated { bytes.append(0) }
    }

    /// The cookieOffset this region needs: where the chain starts, or 0.
    public var cookieOffset: UInt32 {
        chain.isEmpty ? 0 : UInt32(domainXML.storedLength + gap.count)  // bounded: in-memory sizes of a region <= 64 MiB (the reader's limit)
    }
}
