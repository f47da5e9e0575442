/// One piece of security-sensitive information in a domain XML: what libvirt
/// leaves out of `virsh dumpxml` and `virsh save-image-dumpxml` unless
/// `--security-info` is given (its `VIR_DOMAIN_DEF_FORMAT_SECURE` flag).
///
/// libvirt 9.0 and 11.3 hide two things (measured with their virsh):
/// the `passwd` attribute of `<graphics>` (VNC and SPICE passwords) and the
/// `<cookies>` of a network disk's `<source>` (HTTP cookies). Secrets that
/// libvirt stores elsewhere and only names in the XML (an iSCSI or RBD
/// `<auth>`'s `<secret usage=...>`) are not secret themselves and stay.
public struct DomainSecret: Hashable, Sendable, CustomStringConvertible {
    /// What kind of secret.
    public enum Kind: String, Hashable, Sendable {
        /// `<graphics passwd='...'>`.
        case graphicsPassword = "graphics_password"
        /// `<source><cookies>...</cookies></source>` of a network disk.
        case diskCookies = "disk_cookies"
    }

    /// What kind of secret.
    public var kind: Kind
    /// Where it belongs, stable across an edit that keeps the devices:
    /// the graphics type and its ordinal among graphics of that type, or the
    /// disk's ordinal and the path to its `<source>`.
    public var location: String
    /// The byte range of the secret in the document it was found in (with
    /// the whitespace before an attribute, or the whole lines of an element).
    public var range: Range<Int>
    /// The secret's text as stored: ` passwd='...'` or `<cookies>...</cookies>`.
    var text: [UInt8]
    /// For an element: the indentation of its first line.
    var indentation: [UInt8]

    /// A user's name for the secret, without its value: "the VNC password
    /// (<graphics type='vnc'> 1)", "the cookies of disk 1's <source>".
    public var description: String {
        switch kind {
        case .graphicsPassword: "the \(location) password"
        case .diskCookies: "the HTTP cookies of \(location)"
        }
    }
}
