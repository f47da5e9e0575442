/// How the CPU QEMU ran (the cookie's) differs from the CPU the user defined
/// (the domain XML's), feature by feature.
public struct CPUDifference: Hashable, Sendable, Codable {
    /// A feature whose policy is not the same in both definitions.
    public struct Change: Hashable, Sendable, Codable {
        public var name: String
        /// The policy in the domain XML.
        public var from: CPUDefinition.Policy
        /// The policy in the cookie.
        public var to: CPUDefinition.Policy
    }

    /// The domain XML's model, if any.
    public var domainModel: String?
    /// The cookie's model, if any.
    public var cookieModel: String?
    /// Features the cookie has that the domain XML does not mention.
    public var added: [CPUDefinition.Feature]
    /// Features the domain XML mentions that the cookie does not.
    public var removed: [CPUDefinition.Feature]
    /// Features whose policy differs.
    public var changed: [Change]

    /// Compares the defined CPU with the CPU QEMU ran. Without a cookie CPU
    /// there is no difference: libvirt restores with the domain XML's CPU
    /// (the one rule `inspect`, `diff-cpu` and `scan` give).
    public init(domain: CPUDefinition?, cookie: CPUDefinition?) {
        domainModel = domain?.model
        cookieModel = cookie?.model
        guard let cookie else {
            added = []
            removed = []
            changed = []
            return
        }
        let domainFeatures = domain?.features ?? []
        let cookieFeatures = cookie.features
        let domainNames = Set(domainFeatures.map(\.name))
        let cookieNames = Set(cookieFeatures.map(\.name))
        added = cookieFeatures.filter { !domainNames.contains($0.name) }
        removed = domainFeatures.filter { !cookieNames.contains($0.name) }
        changed = cookieFeatures.compactMap { feature in
            guard let before = domain?.policy(of: feature.name), before != feature.policy else { return nil }
            return Change(name: feature.name, from: before, to: feature.policy)
        }
    }

    /// Whether the models differ (libvirt then fails restore with "extra features").
    public var modelDiffers: Bool {
        guard let domainModel, let cookieModel else { return false }
        return domainModel != cookieModel
    }

    /// True when both definitions agree feature for feature and on the model.
    public var isEmpty: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty && !modelDiffers }

    /// One-line summary such as `+pclmuldq +hypervisor +arat`.
    public var summary: String {
        var parts = added.map { ($0.policy.removesFeature ? "-" : "+") + $0.name }  // bounded: string concatenation
        parts += removed.map { "~" + $0.name }  // bounded: array append
        parts += changed.map { "\($0.name):\($0.from)->\($0.to)" }  // bounded: array append
        if modelDiffers { parts.insert("model \(domainModel ?? "?")->\(cookieModel ?? "?")", at: 0) }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }
}
