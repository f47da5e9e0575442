/// An XML element as a plain value: name, attributes in document order,
/// child elements and text. Produced by ``XMLParser`` (libxml2) and written
/// back in libvirt's style by ``XMLElement/formatted(indent:)``.
public struct XMLElement: Hashable, Sendable {
    /// A child: an element or a piece of text.
    public enum Child: Hashable, Sendable {
        case element(XMLElement)
        case text(String)
    }

    public var name: String
    /// Attributes in document order.
    public var attributes: [(name: String, value: String)] {
        get { attributePairs.map { ($0.name, $0.value) } }
        set { attributePairs = newValue.map { AttributePair(name: $0.name, value: $0.value) } }
    }
    public var children: [Child]
    var attributePairs: [AttributePair]

    struct AttributePair: Hashable, Sendable {
        var name: String
        var value: String
    }

    public init(name: String, attributes: [(name: String, value: String)] = [], children: [Child] = []) {
        self.name = name
        self.attributePairs = attributes.map { AttributePair(name: $0.name, value: $0.value) }
        self.children = children
    }

    /// The value of attribute `name`, or nil.
    public subscript(attribute name: String) -> String? {
        get { attributePairs.first { $0.name == name }?.value }
        set {
            if let index = attributePairs.firstIndex(where: { $0.name == name }) {
                if let newValue { attributePairs[index].value = newValue } else { attributePairs.remove(at: index) }
            } else if let newValue {
                attributePairs.append(AttributePair(name: name, value: newValue))
            }
        }
    }

    /// Child elements, in order.
    public var elements: [XMLElement] {
        children.compactMap { if case .element(let e) = $0 { e } else { nil } }
    }

    /// The first child element called `name`.
    public func first(_ name: String) -> XMLElement? { elements.first { $0.name == name } }

    /// All child elements called `name`.
    public func all(_ name: String) -> [XMLElement] { elements.filter { $0.name == name } }

    /// The element's text content (concatenated direct text children), trimmed.
    public var text: String {
        children.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
            .trimmingWhitespace()
    }

    /// Follows a path of child names, e.g. `["os", "type"]`.
    public func descendant(_ path: String...) -> XMLElement? {
        var node: XMLElement? = self
        for step in path { node = node?.first(step) }
        return node
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[start...end])
    }
}
