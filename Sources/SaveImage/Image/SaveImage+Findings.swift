extension SaveImage {
    /// The format libvirt actually applies: the header's format at version 2,
    /// raw below (libvirt ignores the word before version 2).
    public var effectiveFormat: CompressionFormat { header.effectiveFormat }

    /// Whether libvirt reads a cookie at all: cookieOffset set and below data_len.
    public var libvirtReadsCookie: Bool { header.cookieOffset != 0 && header.cookieOffset < header.dataLength }

    func computeFindings() -> [Finding] {
        var findings: [Finding] = []
        findings += formatFindings()  // bounded: array append
        findings += streamFindings()  // bounded: array append
        findings += cookieFindings()  // bounded: array append
        findings += chainFindings()  // bounded: array append
        findings += headerWordFindings()  // bounded: array append
        findings += cpuFindings()  // bounded: array append
        return findings
    }

    /// Formats beyond the five every libvirt restores (raw, gzip, bzip2, xz,
    /// lzop): which release restores them is the target's to say.
    func formatFindings() -> [Finding] {
        var findings: [Finding] = []
        let format = effectiveFormat
        if format.rawValue > CompressionFormat.lzop.rawValue {
            findings.append(Finding(
                code: .formatUnsupported, severity: .restoreFails,
                message: "format \(format.labeled) is not one of the five every libvirt restores (raw, gzip, bzip2, xz, lzop)",
                libvirtMessage: "Invalid compressed save format \(format.rawValue)",
                offset: UInt64(HeaderField.format.offset), payload: .format(format)))
        }
        if header.version < 2 && header.format != .raw {
            findings.append(Finding(
                code: .formatIgnored, severity: .warning,
                message: "format word is \(header.format) but version \(header.version) images are always read as raw",
                offset: UInt64(HeaderField.format.offset), payload: .format(header.format)))
        }
        return findings
    }

    /// Whether the stream's first bytes match the format libvirt will apply.
    func streamFindings() -> [Finding] {
        let format = effectiveFormat
        let signature = streamSignature
        let at = streamOffset
        switch (signature, format) {
        case (.empty, .raw), (.empty, .sparse):
            return [Finding(code: .streamMissing, severity: .restoreFails,
                            message: "no migration stream after the data region (file ends at \(fileSize))",
                            libvirtMessage: "Not a migration stream", offset: at, payload: .streamMissing(format: format))]
        case (.empty, _):
            return [Finding(code: .streamMissing, severity: .restoreFails,
                            message: "no \(format) stream after the data region (file ends at \(fileSize))",
                            libvirtMessage: "restore hangs waiting for the decompressor", offset: at,
                            payload: .streamMissing(format: format))]
        default:
            break
        }
        guard format.rawValue <= CompressionFormat.zstd.rawValue else { return [] }
        let implied = signature.impliedFormat
        if implied == format { return [] }
        let found = signature.name + (streamPrefix.isEmpty ? "" : " (" + Hex.bytes(streamPrefix.prefix(8)) + ")")  // bounded: string concatenation
        if format == .raw {
            return [Finding(code: .formatStreamMismatch, severity: .restoreFails,
                            message: "header says raw but the stream at offset \(at) is \(found)",
                            libvirtMessage: "Not a migration stream", offset: at,
                            payload: .streamMismatch(header: format, found: implied))]
        }
        let outcome = implied == .raw ? "restore hangs" : "\(StreamFormat.named(format)?.program ?? "decompressor") -dc fails"
        return [Finding(code: .formatStreamMismatch, severity: .restoreFails,
                        message: "header says \(format) but the stream at offset \(at) is \(found)",
                        libvirtMessage: outcome, offset: at, payload: .streamMismatch(header: format, found: implied))]
    }

    /// What libvirt's restore does with the cookie (`virSaveCookieParseString`).
    func cookieFindings() -> [Finding] {
        guard libvirtReadsCookie else { return [] }
        let offset = UInt64(SaveImageHeader.size) + UInt64(header.cookieOffset)  // bounded: 92 + a UInt32 < 2^33
        guard let document = cookieDocument else {
            return [Finding(code: .cookieEmpty, severity: .restoreFails,
                            message: "cookieOffset \(header.cookieOffset) points at a zero byte: the cookie is empty",
                            libvirtMessage: "(save cookie):1: Document is empty", offset: offset,
                            payload: .cookieXML(line: 1, message: "Document is empty"))]
        }
        var findings: [Finding] = []
        if !document.isTerminated {
            findings.append(Finding(code: .cookieUnterminated, severity: .warning,
                                    message: "the cookie has no NUL before data_len; libvirt reads past its buffer",
                                    offset: offset))
        }
        do {
            let element = try XMLParser.parse(document.bytes, name: "save cookie", path: path, offset: offset)
            _ = try SaveCookie(element: element, path: path, offset: offset)
        } catch {
            findings.append(Finding(code: .cookieInvalid, severity: .restoreFails,
                                    message: "the cookie at offset \(offset) is invalid: \(error.expected), found \(error.found)",
                                    libvirtMessage: error.libvirtMessage, offset: offset, payload: Self.cookiePayload(error)))
        }
        return findings
    }

    /// libxml2's line and message (its error's `found` is `line N: message` or
    /// `line N column M: message`), else the cookie parser's refusal.
    static func cookiePayload(_ error: SaveImageError) -> Finding.Payload {
        if error.code == .malformedXML {
            let parts = error.found.split(separator: ":", maxSplits: 1)
            let words = parts.first?.split(separator: " ") ?? []
            if words.count == 2 || (words.count == 4 && words[2] == "column"), words.first == "line",  // bounded: indexes below words.count (4)
               let line = Int(words[1]),  // bounded: a failable parse of text, no arithmetic
               let message = parts.last, parts.count == 2 {
                return .cookieXML(line: line, message: String(message).trimmingWhitespace())
            }
        }
        return .cookieRefused(message: error.libvirtMessage ?? error.description)
    }

    /// Extensions, ignored documents, gap and padding.
    func chainFindings() -> [Finding] {
        var findings: [Finding] = []
        if header.cookieOffset == 0 {
            let ignored = region.ignoredDocuments
            if !ignored.isEmpty {
                findings.append(Finding(
                    code: .documentsIgnored, severity: .info,
                    message: (ignored.count > DataRegion.maximumDocuments ? "more than \(DataRegion.maximumDocuments)" : "\(ignored.count)")
                        + " document(s) after the domain XML are ignored by libvirt because cookieOffset is 0",
                    offset: ignored.first?.fileOffset))
            }
        } else if !region.gap.isEmpty {
            findings.append(Finding(code: .gap, severity: .info,
                                    message: "\(region.gap.count) bytes between the domain XML's NUL and the cookie",
                                    offset: region.domainXML.fileOffset + UInt64(region.domainXML.storedLength)))  // bounded: an offset within the region: < 2^33
        }
        for (index, document) in extensions.enumerated() {
            findings.append(Finding(
                code: .extensionPresent, severity: .info,
                message: "extension \(index + 1) <\(document.rootElementName ?? "?")> (\(document.bytes.count) bytes): "
                    + "libvirt restores with it but `virsh save-image-define` drops it",
                offset: document.fileOffset))
            if (try? XMLParser.parse(document.bytes, name: "extension \(index + 1)")) == nil {
                findings.append(Finding(code: .extensionInvalid, severity: .warning,
                                        message: "extension \(index + 1) is not well-formed XML", offset: document.fileOffset))
            }
        }
        let nonZero = region.nonZeroPaddingBytes
        if nonZero > 0 {
            findings.append(Finding(code: .paddingNotZero, severity: .warning,
                                    message: "\(nonZero) non-zero bytes in the padding after the extension chain",
                                    offset: streamOffset - UInt64(region.padding.count)))  // bounded: the padding lies inside the region, before streamOffset
        }
        return findings
    }

    func headerWordFindings() -> [Finding] {
        var findings: [Finding] = []
        if header.byteOrder == .big {
            findings.append(Finding(code: .bigEndian, severity: .info,
                                    message: "header words are big-endian (libvirt byte-swaps them on read)"))
        }
        if header.wasRunning > 1 {
            findings.append(Finding(code: .wasRunningNonstandard, severity: .info,
                                    message: "was_running is \(header.wasRunning); libvirt treats any non-zero value as running",
                                    offset: UInt64(HeaderField.wasRunning.offset)))
        }
        if let index = header.unused.firstIndex(where: { $0 != 0 }) {
            findings.append(Finding(code: .unusedWordsSet, severity: .info,
                                    message: "unused header words are not zero (first: unused[\(index)] = \(header.unused[index])); libvirt ignores them",
                                    offset: UInt64(HeaderField.unused.offset + 4 * index)))  // bounded: constant offset, index < 14
        }
        return findings
    }

    /// A cookie CPU with another model than the domain XML's. Measured on
    /// libvirt 9.0: the model difference alone restores; the restore fails
    /// ("guest CPU doesn't match specification: extra features: ...") when
    /// QEMU enables features for the cookie's model that the cookie does not
    /// list. That needs the target's per-model data: `saveimg verify` decides.
    func cpuFindings() -> [Finding] {
        let difference = cpuDifference
        guard libvirtReadsCookie, difference.modelDiffers else { return [] }
        return [Finding(
            code: .cpuModelMismatch, severity: .warning,
            message: "cookie CPU model \(difference.cookieModel ?? "?") differs from the domain XML's "
                + "\(difference.domainModel ?? "?"); restore fails if QEMU adds features for that model that "
                + "the cookie does not list (run `saveimg verify`)",
            libvirtMessage: "guest CPU doesn't match specification: extra features: ... (only in that case)",
            offset: cookieDocument?.fileOffset,
            payload: .cpuModels(cookie: difference.cookieModel, domain: difference.domainModel))]
    }
}
