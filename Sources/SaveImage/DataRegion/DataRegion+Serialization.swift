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

    /// Lays the documents out again the way libvirt writes them: domain XML,
    /// NUL, chain documents (regionOffsets recomputed), then zero padding to
    /// `length` bytes. The gap is dropped when there is a chain.
    ///
    /// - Returns: nil if the documents do not fit in `length` bytes.
    public func relaidOut(length: Int) -> DataRegion? {
        var region = DataRegion(domainXML: ChainDocument(regionOffset: 0, bytes: domainXML.bytes))
        if chain.isEmpty { region.gap = [] }
        var position = region.domainXML.storedLength
        for document in chain {
            region.chain.append(ChainDocument(regionOffset: UInt32(position), bytes: document.bytes))  // bounded: a sum of in-memory document sizes (each at most 16 MiB, the XML parser's limit)
            position += document.bytes.count + 1  // bounded: in-memory sizes
        }
        guard position <= length else { return nil }
        region.padding = [UInt8](repeating: 0, count: length - position)  // bounded: position <= length (documents fit)
        return region
    }
}
