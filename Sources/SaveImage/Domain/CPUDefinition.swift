/// A guest CPU definition: libvirt's `<cpu>` element, as found in the domain
/// XML (the CPU as the user defined it) or in the save cookie (the CPU as
/// QEMU actually ran it).
public struct CPUDefinition: Hashable, Sendable {
    /// A `<feature policy='...' name='...'/>` entry.
    public struct Feature: Hashable, Sendable, Codable {
        public var name: String
        /// What the definition asks for the feature (libvirt's default is `require`).
        public var policy: Policy
        public init(name: String, policy: Policy = .require) {
            self.name = name
            self.policy = policy
        }
    }

    /// A feature's `policy` attribute (libvirt's `virCPUFeaturePolicy`).
    public enum Policy: Hashable, Sendable, Codable, CustomStringConvertible {
        /// The guest gets the feature; the CPU must provide it.
        case require
        /// The guest gets the feature even if the CPU lacks it.
        case force
        /// The guest gets it if the CPU has it.
        case optional
        /// The guest does not get the feature.
        case disable
        /// The CPU must not have the feature.
        case forbid
        /// A value libvirt does not define, kept as written.
        case other(String)

        /// The attribute's text, as libvirt writes it.
        public init(attribute: String) {
            switch attribute {
            case "require": self = .require
            case "force": self = .force
            case "optional": self = .optional
            case "disable": self = .disable
            case "forbid": self = .forbid
            default: self = .other(attribute)
            }
        }

        public var description: String {
            switch self {
            case .require: "require"
            case .force: "force"
            case .optional: "optional"
            case .disable: "disable"
            case .forbid: "forbid"
            case .other(let text): text
            }
        }

        /// The five policies libvirt defines (everything but ``other(_:)``).
        public static let defined: [Policy] = [.require, .force, .optional, .disable, .forbid]

        /// Whether libvirt defines this policy (a domain with any other is refused).
        public var isDefined: Bool {
            if case .other = self { return false }
            return true
        }

        /// `disable` or `forbid`: the guest runs without the feature.
        public var removesFeature: Bool { self == .disable || self == .forbid }
        /// `require` or `force`: the guest runs with the feature.
        public var addsFeature: Bool { self == .require || self == .force }

        public init(from decoder: any Decoder) throws {
            self.init(attribute: try decoder.singleValueContainer().decode(String.self))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(description)
        }
    }

    /// `mode`: `custom`, `host-model`, `host-passthrough`, `maximum`.
    public var mode: String?
    /// `match`: `exact`, `minimum`, `strict`.
    public var match: String?
    /// `check`: `none`, `partial`, `full`.
    public var check: String?
    /// The `<model>` name, e.g. `Westmere`.
    public var model: String?
    /// `<model fallback=...>`.
    public var fallback: String?
    /// `<vendor>`.
    public var vendor: String?
    /// Features in document order.
    public var features: [Feature]
    /// The element as parsed, so nothing saveimg does not model is lost.
    public var element: XMLElement

    /// Reads a `<cpu>` element.
    public init(element: XMLElement) {
        self.element = element
        mode = element[attribute: "mode"]
        match = element[attribute: "match"]
        check = element[attribute: "check"]
        model = element.first("model").map(\.text).flatMap { $0.isEmpty ? nil : $0 }
        fallback = element.first("model")?[attribute: "fallback"]
        vendor = element.first("vendor").map(\.text)
        features = element.all("feature").map {
            Feature(name: $0[attribute: "name"] ?? "", policy: Policy(attribute: $0[attribute: "policy"] ?? "require"))
        }
    }

    /// Features with policy `require` or `force`: what the guest must get.
    public var requiredFeatureNames: [String] {
        features.filter { $0.policy.addsFeature }.map(\.name)
    }

    /// `model Westmere, 3 features` (or `mode host-model, ...`), for messages and edit reports.
    public var summary: String {
        let what = model.map { "model \($0)" } ?? (mode.map { "mode \($0)" } ?? "no model")
        return "\(what), \(features.count) feature\(features.count == 1 ? "" : "s")"
    }

    /// The policy of feature `name`, or nil when the definition does not mention it.
    public func policy(of name: String) -> Policy? { features.first { $0.name == name }?.policy }
}
