import SaveImage

/// One part of the file, for the layout map.
struct LayoutSegment: Encodable {
    var name: String
    var offset: UInt64
    var size: UInt64
    var detail: String?
}

extension SaveImage {
    /// The file's parts in order: header, domain XML, gap, cookie, extensions,
    /// padding, stream.
    var layoutSegments: [LayoutSegment] {
        var segments = [LayoutSegment(name: "header", offset: 0, size: UInt64(SaveImageHeader.size),
                                      detail: "magic, version, data_len, was_running, format, cookieOffset, unused[14]")]
        let xml = region.domainXML
        segments.append(LayoutSegment(name: "domain_xml", offset: xml.fileOffset, size: UInt64(xml.storedLength),
                                      detail: "\(xml.bytes.count) bytes + NUL"))
        if !region.gap.isEmpty {
            let detail = header.cookieOffset == 0 ? "ignored by libvirt (cookieOffset 0)" : "unused bytes before the cookie"
            segments.append(LayoutSegment(name: "gap", offset: xml.fileOffset + UInt64(xml.storedLength),
                                          size: UInt64(region.gap.count), detail: detail))
        }
        for (index, document) in region.chain.enumerated() {
            let name = index == 0 ? "cookie" : "extension_\(index)"
            segments.append(LayoutSegment(name: name, offset: document.fileOffset, size: UInt64(document.storedLength),
                                          detail: "<\(document.rootElementName ?? "?")> \(document.bytes.count) bytes"
                                              + (document.isTerminated ? " + NUL" : ", no NUL")))
        }
        if !region.padding.isEmpty {
            segments.append(LayoutSegment(name: "padding", offset: streamOffset - UInt64(region.padding.count),
                                          size: UInt64(region.padding.count),
                                          detail: region.nonZeroPaddingBytes == 0 ? "zero" : "\(region.nonZeroPaddingBytes) non-zero bytes"))
        }
        segments.append(LayoutSegment(name: "stream", offset: streamOffset, size: streamLength,
                                      detail: streamSignature.name))
        return segments
    }
}
