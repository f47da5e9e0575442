// bounded-file: libxml2 sizes of an in-memory document (Int32 counts from libxml2, clamped at 0)
import CLibXML2

/// `virsh save-image-dumpxml --xpath EXPR [--wrap]` on a stored document:
/// libxml2's XPath 1.0 over the document parsed with ``XMLParser``'s safe
/// settings (no network, no DTD loading, no entity substitution) and blank
/// text dropped, matches serialized as virsh does (libxml2's `xmlNodeDump`
/// with formatting, each followed by a newline), or copied under one
/// `<nodes>` element with `wrap`.
public enum XPathQuery {
    /// Expressions longer than this are refused.
    public static let maximumExpressionLength = 4096

    /// The matches of `expression` in `bytes`, serialized.
    ///
    /// - Throws: `.editRejected` for an expression libxml2 cannot compile or
    ///   one whose result is not a node set (`count(...)`, `string(...)`;
    ///   virsh says "Incorrect xpath"), `.malformedXML` for a document that
    ///   does not parse.
    public static func evaluate(
        _ expression: String, on bytes: [UInt8], wrap: Bool, name: String = "domain XML", path: String = ""
    ) throws(SaveImageError) -> [UInt8] {
        guard !expression.isEmpty, expression.utf8.count <= maximumExpressionLength, !expression.utf8.contains(0) else {
            throw SaveImageError(.editRejected, path: path, field: "--xpath",
                                 expected: "an XPath expression of 1...\(maximumExpressionLength) bytes",
                                 found: "\(expression.utf8.count) bytes")
        }
        _ = try XMLParser.parse(bytes, name: name, path: path)
        guard bytes.count <= XMLParser.maximumDocumentSize, let parser = xmlNewParserCtxt() else {
            throw SaveImageError(.io, path: path, field: name, expected: "a libxml2 parser", found: "none (out of memory)")
        }
        defer { xmlFreeParserCtxt(parser) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
                            | XML_PARSE_NOBLANKS.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    xmlCtxtReadMemory(parser, $0, Int32(buffer.count), name, "UTF-8", options)
                }
            }
        }
        guard let document = parsed else {
            throw SaveImageError(.malformedXML, path: path, field: name, expected: "well-formed XML", found: "a parse error")
        }
        defer { xmlFreeDoc(document) }
        guard let context = xmlXPathNewContext(document) else {
            throw SaveImageError(.io, path: path, field: "--xpath", expected: "an XPath context", found: "none (out of memory)")
        }
        defer { xmlXPathFreeContext(context) }
        context.pointee.error = { _, _ in }
        guard let result = xmlXPathEvalExpression(expression, context) else {
            throw SaveImageError(.editRejected, path: path, field: "--xpath", expected: "a valid XPath expression",
                                 found: "'\(expression)' (libxml2: Invalid expression)")
        }
        defer { xmlXPathFreeObject(result) }
        guard result.pointee.type == XPATH_NODESET else {
            throw SaveImageError(.editRejected, path: path, field: "--xpath",
                                 expected: "an expression selecting nodes", found: "'\(expression)'",
                                 libvirtMessage: "internal error: Incorrect xpath '\(expression)'")
        }
        var nodes: [xmlNodePtr] = []
        if let set = result.pointee.nodesetval, let table = set.pointee.nodeTab {
            for index in 0..<Int(max(0, set.pointee.nodeNr)) {
                if let node = table[index] { nodes.append(node) }
            }
        }
        guard wrap else {
            var output: [UInt8] = []
            for node in nodes { output += dump(node, in: document) + [0x0a] }
            return output
        }
        guard let wrapper = xmlNewDoc("1.0"), let root = xmlNewDocNode(wrapper, nil, "nodes", nil) else {
            throw SaveImageError(.io, path: path, field: "--wrap", expected: "a new document", found: "none (out of memory)")
        }
        defer { xmlFreeDoc(wrapper) }
        xmlDocSetRootElement(wrapper, root)
        for node in nodes {
            if node.pointee.type == XML_DOCUMENT_NODE {
                if let top = xmlDocGetRootElement(document), let copy = xmlDocCopyNode(top, wrapper, 1) {
                    xmlAddChild(root, copy)
                }
            } else if let copy = xmlDocCopyNode(node, wrapper, 1) {
                if xmlAddChild(root, copy) == nil { xmlFreeNode(copy) }
            }
        }
        return dump(root, in: wrapper) + [0x0a]
    }

    private static func dump(_ node: xmlNodePtr, in document: xmlDocPtr) -> [UInt8] {
        guard let buffer = xmlBufferCreate() else { return [] }
        defer { xmlBufferFree(buffer) }
        _ = xmlNodeDump(buffer, document, node, 0, 1)
        guard let content = xmlBufferContent(buffer) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: Int(max(0, xmlBufferLength(buffer)))))
    }
}
