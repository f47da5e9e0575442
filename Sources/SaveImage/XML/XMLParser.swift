import CLibXML2

/// Parses XML with libxml2, safely: no network access, no DTD loading, no
/// entity substitution (so neither "billion laughs" nor external entities
/// read anything), libxml2's default size limits (no `XML_PARSE_HUGE`), a
/// limit on the markup, and a depth limit on the tree saveimg builds.
public enum XMLParser {
    /// Documents larger than this are refused before parsing.
    public static let maximumDocumentSize = 16 * 1024 * 1024  // bounded: constant
    /// Element nesting deeper than this is refused.
    public static let maximumDepth = 256
    /// Documents with more markup than this (counted as `<` bytes, an upper
    /// bound on elements, comments and CDATA sections) are refused before
    /// parsing: 12 MB of `<x/>` (3 million elements) made `inspect` take
    /// 570 MB and `dumpxml` 700 MB. Real domain XMLs have a few thousand.
    public static let maximumMarkup = 1_000_000

    /// Parses `bytes` (one document, no NUL) and returns its root element.
    ///
    /// - Parameters:
    ///   - bytes: the document.
    ///   - name: what the document is (`domain XML`, `save cookie`), for messages.
    ///   - path: the file, for errors.
    ///   - offset: where the document starts in the file, for errors.
    /// - Throws: ``SaveImageError`` `.malformedXML` with libxml2's message and
    ///   line, or `.tooLarge`.
    public static func parse(
        _ bytes: [UInt8], name: String, path: String = "", offset: UInt64? = nil
    ) throws(SaveImageError) -> XMLElement {
        guard bytes.count <= maximumDocumentSize else {
            throw SaveImageError(.tooLarge, path: path, offset: offset, field: name,
                                 expected: "at most \(maximumDocumentSize) bytes", found: "\(bytes.count) bytes")
        }
        let markup = ByteSearch.count(of: UInt8(ascii: "<"), in: bytes, upTo: maximumMarkup + 1)  // bounded: constant
        guard markup <= maximumMarkup else {
            throw SaveImageError(.tooLarge, path: path, offset: offset, field: name,
                                 expected: "at most \(maximumMarkup) tags ('<')", found: "more than \(maximumMarkup)")
        }
        guard let context = xmlNewParserCtxt() else {
            throw SaveImageError(.io, path: path, offset: offset, field: name, expected: "a libxml2 parser",
                                 found: "xmlNewParserCtxt failed (out of memory)")
        }
        defer { xmlFreeParserCtxt(context) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)  // bounded: libxml2 option constants
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    xmlCtxtReadMemory(context, $0, Int32(buffer.count), name, "UTF-8", options)  // bounded: count <= maximumDocumentSize (16 MiB, checked above)
                }
            }
        }
        guard let document else {
            throw malformed(context: context, name: name, path: path, offset: offset, empty: bytes.isEmpty)
        }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else {
            throw SaveImageError(.malformedXML, path: path, offset: offset, field: name,
                                 expected: "a root element", found: "none",
                                 libvirtMessage: "(\(name)):1: Document is empty")
        }
        return try convert(root, depth: 0, name: name, path: path, offset: offset)
    }

    private static func malformed(
        context: xmlParserCtxtPtr, name: String, path: String, offset: UInt64?, empty: Bool
    ) -> SaveImageError {
        var message = empty ? "Document is empty" : "not well-formed XML"
        var line: Int32 = 1
        if let error = xmlCtxtGetLastError(context), let text = error.pointee.message {
            message = String(cString: text).trimmingWhitespace()
            line = error.pointee.line
        }
        return SaveImageError(.malformedXML, path: path, offset: offset, field: name,
                              expected: "well-formed XML", found: "line \(line): \(message)",
                              libvirtMessage: "(\(name)):\(line): \(message)")
    }

    private static func convert(
        _ node: xmlNodePtr, depth: Int, name: String, path: String, offset: UInt64?
    ) throws(SaveImageError) -> XMLElement {
        guard depth < maximumDepth else {
            throw SaveImageError(.tooLarge, path: path, offset: offset, field: name,
                                 expected: "element nesting of at most \(maximumDepth)", found: "deeper nesting")
        }
        var element = XMLElement(name: string(node.pointee.name))
        var attribute = node.pointee.properties
        while let current = attribute {
            element[attribute: string(current.pointee.name)] = textContent(of: current.pointee.children)
            attribute = current.pointee.next
        }
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                element.children.append(.element(
                    try convert(current, depth: depth + 1, name: name, path: path, offset: offset)))  // bounded: depth <= maximumDepth (256), checked on entry
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { element.children.append(.text(String(cString: content))) }
            default:
                break
            }
            child = current.pointee.next
        }
        return element
    }

    /// The concatenated text of an attribute's value nodes (entity
    /// references are left out: they are never substituted).
    private static func textContent(of first: xmlNodePtr?) -> String {
        var text = ""
        var node = first
        while let current = node {
            if current.pointee.type == XML_TEXT_NODE, let content = current.pointee.content {
                text += String(cString: content)  // bounded: string concatenation
            }
            node = current.pointee.next
        }
        return text
    }

    private static func string(_ pointer: UnsafePointer<xmlChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }
}
