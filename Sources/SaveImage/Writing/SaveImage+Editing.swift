/// Value-level edits: each returns the image's new ``ImageContent`` and
/// leaves the file alone; ``WritePlan`` and ``ImageWriter`` put it on disk.
/// Every edit keeps the extensions chained after the cookie.
extension SaveImage {
    /// Puts `cpu` into the cookie (libvirt's "CPU as QEMU ran it"), keeping
    /// the cookie's other children (`<slirpHelper/>` ...) and the extensions;
    /// creates `<cookie>` when the image has none. The domain XML is unchanged.
    ///
    /// - Parameters:
    ///   - cpu: a validated `<cpu>` element (see ``CPUXML/parse(_:path:)``).
    ///   - force: accept a model that differs from the domain XML's.
    /// - Throws: `.editRejected` for another model (libvirt then fails restore
    ///   with "guest CPU doesn't match specification: extra features: ...") or
    ///   when the existing cookie is not a `<cookie>` document.
    public func settingCookieCPU(_ cpu: XMLElement, force: Bool = false) throws(SaveImageError) -> ImageContent {
        try checkModel(cookie: CPUDefinition(element: cpu), domain: domain.cpu, force: force)
        var result = content
        let cookie = try existingCookieElement(force: force).replacingCPU(with: cpu)
        let bytes = Array(cookie.formatted().utf8)
        if result.chain.isEmpty { result.chain = [bytes] } else { result.chain[0] = bytes }
        return result
    }

    /// The 2017 regression's repair: the domain XML holds the CPU QEMU ran
    /// (as libvirt 3.x wrote it); move that CPU into the cookie and put the
    /// user's original CPU back into the domain XML.
    ///
    /// - Parameters:
    ///   - originalCPU: the `<cpu>` as the user defined it.
    ///   - force: accept models that differ, a domain CPU that already is
    ///     `originalCPU` (nothing to repair), and a cookie CPU with features
    ///     the domain CPU lacks (they would be lost).
    public func movingDomainCPUToCookie(originalCPU: XMLElement, force: Bool = false) throws(SaveImageError) -> ImageContent {
        guard let updated = domain.cpu else {
            throw SaveImageError(.editRejected, path: path, offset: region.domainXML.fileOffset, field: "domain XML",
                                 expected: "a <cpu> element to move into the cookie", found: "no <cpu>")
        }
        let original = CPUDefinition(element: originalCPU)
        try checkModel(cookie: updated, domain: original, force: force)
        let sameAsOriginal = CPUDifference(domain: original, cookie: updated)
        if sameAsOriginal.isEmpty, !force {
            // The domain XML already holds the defined CPU: moving it would put the
            // defined CPU into the cookie in place of the CPU QEMU ran.
            let cookieCPU = cookie?.cpu.map { " (the cookie's CPU, \($0.summary), would be replaced)" } ?? ""
            throw SaveImageError(.editRejected, path: path, offset: region.domainXML.fileOffset, field: "domain XML <cpu>",
                                 expected: "the updated CPU (the 2017 regression) to move into the cookie",
                                 found: "the defined CPU already, the same as the original CPU given: "
                                     + "nothing to repair\(cookieCPU); --allow-model-change moves it anyway")
        }
        if let cookieCPU = cookie?.cpu, !force {
            let lost = CPUDifference(domain: updated, cookie: cookieCPU).added
            if !lost.isEmpty {
                throw SaveImageError(.editRejected, path: path, offset: cookieDocument?.fileOffset, field: "save cookie <cpu>",
                                     expected: "a cookie without a CPU, or one the domain XML's CPU covers",
                                     found: "a cookie CPU (\(cookieCPU.summary)) with features the domain XML's "
                                         + "CPU lacks (\(lost.map(\.name).joined(separator: ", "))): moving would drop them; "
                                         + "--allow-model-change moves it anyway")
            }
        }
        var result = try settingCookieCPU(updated.element, force: true)
        result.domainXML = try DomainXMLSplice.replacingCPU(in: region.domainXML.bytes, parsed: domain.element,
                                                            with: originalCPU, path: path)
        return result
    }

    /// Chains `document` after the cookie, as extension `index` (1-based;
    /// nil appends). An image without a cookie first gets an empty
    /// `<cookie/>`, which libvirt accepts.
    public func addingExtension(_ document: [UInt8], at index: Int? = nil) throws(SaveImageError) -> ImageContent {
        try Self.checkExtension(document, path: path)
        var result = content
        if result.chain.isEmpty { result.chain = [Array("<cookie/>\n".utf8)] }
        let position = index ?? result.chain.count
        guard position >= 1, position <= result.chain.count else {
            throw SaveImageError(.editRejected, path: path, field: "extension index",
                                 expected: "1...\(result.chain.count)", found: "\(position)")
        }
        guard result.chain.count < DataRegion.maximumDocuments else {
            throw SaveImageError(.tooLarge, path: path, field: "extension chain",
                                 expected: "at most \(DataRegion.maximumDocuments) documents (what saveimg reads back)",
                                 found: "\(result.chain.count) documents already")
        }
        result.chain.insert(document, at: position)
        return result
    }

    /// Removes extension `index` (1 = first document after the cookie).
    public func removingExtension(at index: Int) throws(SaveImageError) -> ImageContent {
        guard index >= 1, index <= extensions.count else {
            throw SaveImageError(.editRejected, path: path, field: "extension index",
                                 expected: extensions.isEmpty ? "an extension (the image has none)" : "1...\(extensions.count)",
                                 found: "\(index)")
        }
        var result = content
        result.chain.remove(at: index)
        return result
    }

    /// Replaces the domain XML, refusing ABI-incompatible changes with
    /// libvirt's message (see ``DomainABICheck``) unless `force`. Keeps the
    /// cookie and the extensions (libvirt's save-image-define drops the latter).
    public func replacingDomainXML(_ bytes: [UInt8], force: Bool = false, sourceName: String = "new XML") throws(SaveImageError) -> ImageContent {
        guard !bytes.contains(0) else {
            throw SaveImageError(.editRejected, path: sourceName, field: "domain XML", expected: "text without NUL bytes",
                                 found: "a NUL at offset \(bytes.firstIndex(of: 0) ?? 0)")
        }
        let element = try XMLParser.parse(bytes, name: "domain_definition", path: sourceName)
        guard element.name == "domain" else {
            throw SaveImageError(.unexpectedXML, path: sourceName, field: "domain XML", expected: "root element <domain>",
                                 found: "<\(element.name)>",
                                 libvirtMessage: "unexpected root element <\(element.name)>, expecting <domain>")
        }
        let problems = DomainABICheck.differences(source: domain, target: try DomainSummary(element: element, path: sourceName))
        if let first = problems.first, !force {
            throw SaveImageError(.editRejected, path: sourceName, field: "domain XML",
                                 expected: "a guest ABI compatible with the saved domain (or --allow-abi-change)",
                                 found: problems.joined(separator: "; "), libvirtMessage: first)
        }
        var result = content
        result.domainXML = bytes
        return result
    }

    /// Sets was_running: 1 (resume after restore) or 0 (stay paused).
    public func settingWasRunning(_ running: Bool) -> ImageContent {
        var result = content
        result.wasRunning = running ? 1 : 0
        return result
    }

    // MARK: - Helpers

    private func checkModel(cookie: CPUDefinition, domain: CPUDefinition?, force: Bool) throws(SaveImageError) {
        guard !force, let cookieModel = cookie.model, let domainModel = domain?.model, cookieModel != domainModel else { return }
        throw SaveImageError(
            .editRejected, path: path, field: "cpu model",
            expected: "the domain XML's model \(domainModel) (or --allow-model-change)", found: "\(cookieModel)",
            libvirtMessage: "guest CPU doesn't match specification: extra features: ... (libvirt compares the "
                + "cookie's \(cookieModel) with the domain's \(domainModel) at restore)")
    }

    private func existingCookieElement(force: Bool) throws(SaveImageError) -> XMLElement {
        guard let document = cookieDocument else { return XMLElement(name: "cookie") }
        if let cookie { return cookie.element }
        if force { return XMLElement(name: "cookie") }
        throw SaveImageError(.editRejected, path: path, offset: document.fileOffset, field: "save cookie",
                             expected: "a <cookie> document to update (or --allow-model-change to replace it)",
                             found: "<\(document.rootElementName ?? "?")> or malformed XML")
    }

    static func checkExtension(_ document: [UInt8], path: String) throws(SaveImageError) {
        guard !document.isEmpty, !document.contains(0) else {
            throw SaveImageError(.editRejected, path: path, field: "extension",
                                 expected: "a non-empty document without NUL bytes",
                                 found: document.isEmpty ? "an empty document" : "a NUL byte")
        }
        _ = try XMLParser.parse(document, name: "extension", path: path)
    }
}

extension XMLElement {
    /// This element with its first `<cpu>` child replaced by `cpu` (or `cpu`
    /// inserted as the first child element).
    func replacingCPU(with cpu: XMLElement) -> XMLElement {
        var copy = self
        if let index = copy.children.firstIndex(where: { if case .element(let e) = $0 { e.name == "cpu" } else { false } }) {
            copy.children[index] = .element(cpu)
        } else {
            copy.children.insert(.element(cpu), at: 0)
        }
        return copy
    }

    /// The element without whitespace-only text, for structural comparison.
    func withoutBlankText() -> XMLElement {
        var copy = self
        copy.children = children.compactMap { child in
            switch child {
            case .element(let e): return .element(e.withoutBlankText())
            case .text(let t): return t.trimmingWhitespace().isEmpty ? nil : .text(t.trimmingWhitespace())
            }
        }
        return copy
    }
}
