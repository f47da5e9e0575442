/// libvirt's save cookie (`qemuDomainSaveCookie`): the first document of the
/// extension chain, `<cookie>` with the CPU as QEMU ran it and flags such as
/// `<slirpHelper/>`.
public struct SaveCookie: Hashable, Sendable {
    /// `<cookie><cpu>`: the CPU QEMU actually ran, if recorded.
    public var cpu: CPUDefinition?
    /// The names of the other child elements, in order (e.g. `slirpHelper`).
    public var otherElementNames: [String]
    /// The whole `<cookie>` element.
    public var element: XMLElement

    /// Reads a cookie. Throws `.unexpectedXML` when the root is not `<cookie>`,
    /// as libvirt's `virSaveCookieParseNode` does.
    public init(element: XMLElement, path: String = "", offset: UInt64? = nil) throws(SaveImageError) {
        guard element.name == "cookie" else {
            throw SaveImageError(.unexpectedXML, path: path, offset: offset, field: "save cookie",
                                 expected: "root element <cookie>", found: "<\(element.name)>",
                                 libvirtMessage: "expecting root element of 'cookie', not '\(element.name)'")
        }
        self.element = element
        cpu = element.first("cpu").map(CPUDefinition.init(element:))
        otherElementNames = element.elements.map(\.name).filter { $0 != "cpu" }
    }
}
