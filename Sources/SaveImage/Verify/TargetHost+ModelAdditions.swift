extension TargetHost {
    /// Reads the lab's measured model additions (`model: feat feat -disabled`
    /// lines, from `scripts/lab/measure-model-additions.py`).
    public static func parseModelAdditions(_ text: String) -> [String: Set<String>] {
        var table: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[1].contains("!") else { continue }
            let names = parts[1].split(separator: " ").filter { !$0.hasPrefix("-") }.map(String.init)
            table[String(parts[0]).trimmingWhitespace()] = Set(names)
        }
        return table
    }
}
