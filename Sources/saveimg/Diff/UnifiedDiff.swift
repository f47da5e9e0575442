/// A unified diff (`diff -u` format) between two lists of lines, computed
/// with the standard library's Myers difference.
struct UnifiedDiff {
    /// One line of the edit script.
    struct Line: Equatable {
        enum Kind: Character { case same = " ", removed = "-", added = "+" }
        var kind: Kind
        var text: String
    }

    /// A run of changes with context: `@@ -oldStart,oldCount +newStart,newCount @@`.
    struct Hunk: Equatable {
        var oldStart: Int
        var oldCount: Int
        var newStart: Int
        var newCount: Int
        var lines: [Line]

        var header: String { "@@ -\(Self.range(oldStart, oldCount)) +\(Self.range(newStart, newCount)) @@" }

        private static func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }
    }

    var hunks: [Hunk]

    /// True when both sides are equal.
    var isEmpty: Bool { hunks.isEmpty }

    init(old: [String], new: [String], context: Int = 3) {
        let script = Self.editScript(old: old, new: new)
        hunks = Self.group(script, context: max(0, context))
    }

    /// Lines left after the common first and last lines above which the
    /// middle is shown as all removed, then all added, instead of a minimal
    /// diff: Myers' algorithm costs (N+M)·D, quadratic for a CPU of 100,000
    /// features a hostile image can hold (real CPUs have under 200 lines).
    static let minimalDiffLimit = 10_000

    /// Every line of both sides in order: removals before additions at each change.
    static func editScript(old: [String], new: [String]) -> [Line] {
        let prefix = zip(old, new).prefix { $0 == $1 }.count
        let suffix = zip(old[prefix...].reversed(), new[prefix...].reversed()).prefix { $0 == $1 }.count
        let oldMiddle = Array(old[prefix..<(old.count - suffix)])
        let newMiddle = Array(new[prefix..<(new.count - suffix)])
        var script = old[..<prefix].map { Line(kind: .same, text: $0) }
        if oldMiddle.count + newMiddle.count > minimalDiffLimit {
            script += oldMiddle.map { Line(kind: .removed, text: $0) } + newMiddle.map { Line(kind: .added, text: $0) }
        } else {
            script += minimalScript(old: oldMiddle, new: newMiddle)
        }
        return script + old[(old.count - suffix)...].map { Line(kind: .same, text: $0) }
    }

    /// The shortest edit script (the standard library's Myers difference).
    private static func minimalScript(old: [String], new: [String]) -> [Line] {
        let difference = new.difference(from: old)
        var removed = Set<Int>()
        var inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var script: [Line] = []
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if i < old.count, removed.contains(i) {
                script.append(Line(kind: .removed, text: old[i]))
                i += 1
            } else if j < new.count, inserted.contains(j) {
                script.append(Line(kind: .added, text: new[j]))
                j += 1
            } else if i < old.count, j < new.count {
                script.append(Line(kind: .same, text: old[i]))
                i += 1
                j += 1
            } else {
                break  // unreachable for a consistent difference
            }
        }
        return script
    }

    /// Hunks of the changes with `context` lines around them, in one pass.
    private static func group(_ script: [Line], context: Int) -> [Hunk] {
        let changes = script.indices.filter { script[$0].kind != .same }
        guard let first = changes.first else { return [] }
        var ranges: [Range<Int>] = []
        var start = max(0, first - context)
        var end = min(script.count, first + context + 1)
        for index in changes.dropFirst() {
            if index - context <= end {
                end = min(script.count, index + context + 1)
            } else {
                ranges.append(start..<end)
                start = index - context
                end = min(script.count, index + context + 1)
            }
        }
        ranges.append(start..<end)
        // Old and new line numbers before each script line, counted once.
        var oldBefore = [Int](repeating: 0, count: script.count + 1)
        var newBefore = [Int](repeating: 0, count: script.count + 1)
        for (index, line) in script.enumerated() {
            oldBefore[index + 1] = oldBefore[index] + (line.kind == .added ? 0 : 1)
            newBefore[index + 1] = newBefore[index] + (line.kind == .removed ? 0 : 1)
        }
        return ranges.map { range in
            let oldCount = oldBefore[range.upperBound] - oldBefore[range.lowerBound]
            let newCount = newBefore[range.upperBound] - newBefore[range.lowerBound]
            let old = oldBefore[range.lowerBound], new = newBefore[range.lowerBound]
            return Hunk(oldStart: oldCount == 0 ? old : old + 1, oldCount: oldCount,
                        newStart: newCount == 0 ? new : new + 1, newCount: newCount, lines: Array(script[range]))
        }
    }

    /// The diff as text, with `---`/`+++` labels; coloured when `style` is.
    func text(oldLabel: String, newLabel: String, style: TextStyle) -> String {
        var out = [style.bold("--- " + oldLabel), style.bold("+++ " + newLabel)]
        for hunk in hunks {
            out.append(style.cyan(hunk.header))
            for line in hunk.lines {
                let text = String(line.kind.rawValue) + line.text
                switch line.kind {
                case .same: out.append(style.plain(text))
                case .removed: out.append(style.red(text))
                case .added: out.append(style.green(text))
                }
            }
        }
        return out.joined(separator: "\n")
    }
}
