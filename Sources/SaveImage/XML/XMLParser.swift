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
        // libvirt reports libxml2's first error (its handler keeps the first,
        // later ones follow from it); libxml2 itself keeps only the last.
        let first = FirstError()
        context.pointee._private = Unmanaged.passUnretained(first).toOpaque()
        context.pointee.sax.pointee.serror = { userData, error in
            guard let error, let parser = userData?.assumingMemoryBound(to: xmlParserCtxt.self),
                  let box = parser.pointee._private else { return }
            let first = Unmanaged<FirstError>.fromOpaque(box).takeUnretainedValue()
            guard first.message == nil, error.pointee.level != XML_ERR_WARNING else { return }
            first.message = error.pointee.message.map { String(cString: $0).trimmingWhitespace() }
            first.line = error.pointee.line
            first.column = error.pointee.int2
        }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)  // bounded: libxml2 option constants
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    xmlCtxtReadMemory(context, $0, Int32(buffer.count), name, "UTF-8", options)  // bounded: count <= maximumDocumentSize (16 MiB, checked above)
                }
            }
        }
        guard let document else {
            throw malformed(first, context: context, bytes: bytes, name: name, path: path, offset: offset)
        }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document) else {
            throw SaveImageError(.malformedXML, path: path, offset: offset, field: name,
                                 expected: "a root element", found: "none",
                                 libvirtMessage: libvirtLabel(for: name).map { "(\($0)):1: Document is empty" })
        }
        return try convert(root, depth: 0, name: name, path: path, offset: offset)
    }

    /// libxml2's first error while parsing one document, as libvirt keeps it.
    private final class FirstError {
        var message: String?
        var line: Int32 = 0
        var column: Int32 = 0
    }

    /// The first error, as libvirt prints it (`(name):LINE: message`), at the
    /// file offset of its line and column (libxml2 counts both from 1).
    private static func malformed(
        _ first: FirstError, context: xmlParserCtxtPtr, bytes: [UInt8], name: String, path: String, offset: UInt64?
    ) -> SaveImageError {
        var message = bytes.isEmpty ? "Document is empty" : "not well-formed XML"
        var line: Int32 = 1
        var column: Int32 = 0
        if let text = first.message {
            (message, line, column) = (text, first.line, first.column)
        } else if let error = xmlCtxtGetLastError(context), let text = error.pointee.message {
            (message, line, column) = (String(cString: text).trimmingWhitespace(), error.pointee.line, error.pointee.int2)
        }
        let position = position(of: line, column: column, in: bytes)
        let at = offset.map { $0 + UInt64(position) }  // bounded: position <= bytes.count (16 MiB at most), offset inside the data region (< 4 GiB + 92)
        return SaveImageError(.malformedXML, path: path, offset: at, field: name,
                              expected: "well-formed XML", found: "line \(line)\(column > 0 ? " column \(column)" : ""): \(message)",
                              libvirtMessage: libvirtLabel(for: name).map { "(\($0)):\(line): \(message)" })
    }

    /// The name libvirt gives the document when it parses it (its messages
    /// read `(domain_definition):4: ...`); nil for the documents libvirt never
    /// parses (extensions, a CPU.xml, virsh's capabilities output), whose
    /// errors then quote no libvirt message.
    static func libvirtLabel(for name: String) -> String? {
        switch name {
        case "domain_definition", "save cookie": name
        case "replacement domain XML": "domain_definition"  // virsh restore --xml: libvirtd parses it as a domain
        default: nil
        }
    }

    /// The index in `bytes` of `line`:`column` (both from 1; column 0: the line's start), clamped to the document.
    private static func position(of line: Int32, column: Int32, in bytes: [UInt8]) -> Int {
        var remaining = Int(max(line, 1)) - 1  // bounded: a positive Int32
        var index = 0
        while remaining > 0, index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") { remaining -= 1 }  // bounded: remaining > 0
            index += 1  // bounded: index < bytes.count
        }
        return min(index + Int(max(column, 1)) - 1, bytes.count)  // bounded: index <= 16 MiB, column a positive Int32
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
