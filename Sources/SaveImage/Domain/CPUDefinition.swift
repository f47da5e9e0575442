/// A guest CPU definition: libvirt's `<cpu>` element, as found in the domain
/// XML (the CPU as the user defined it) or in the save cookie (the CPU as
/// QEMU actually ran it).
public struct CPUDefinition: Hashable, Sendable {
    /// A `<feature policy='...' name='...'/>` entry.
    public struct Feature: Hashable, Sendable, Codable {
        public var name: String
        /// `require`, `disable`, `force`, `optional` or `forbid` (libvirt's default is `require`).
        public var policy: String
        public init(name: String, policy: String = "require") {
            self.name = name
            self.policy = policy
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
            Feature(name: $0[attribute: "name"] ?? "", policy: $0[attribute: "policy"] ?? "require")
        }
    }

    /// Features with policy `require` or `force`: what the guest must get.
    public var requiredFeatureNames: [String] {
        features.filter { $0.policy == "require" || $0.policy == "force" }.map(\.name)
    }

    /// `model Westmere, 3 features` (or `mode host-model, ...`), for messages and edit reports.
    public var summary: String {
        let what = model.map { "model \($0)" } ?? (mode.map { "mode \($0)" } ?? "no model")
        return "\(what), \(features.count) feature\(features.count == 1 ? "" : "s")"
    }

    /// The policy of feature `name`, or nil when the definition does not mention it.
    public func policy(of name: String) -> String? { features.first { $0.name == name }?.policy }
}
