import SaveImage

/// `diff-cpu --json`: the two CPUs compared, feature by feature and as diff hunks.
struct DiffCPUReport: Encodable {
    struct Hunk: Encodable {
        struct Line: Encodable {
            /// `same`, `removed` (domain XML only) or `added` (cookie only).
            var kind: String
            var text: String
        }
        var oldStart: Int
        var oldCount: Int
        var newStart: Int
        var newCount: Int
        var lines: [Line]
    }
    var file: String
    /// Whether the cookie has a <cpu> (without one, restore uses the domain XML's).
    var cookieHasCPU: Bool
    /// Whether restore runs the domain XML's CPU as defined: both CPUs print the
    /// same (no hunks), or the cookie has no <cpu> (restore then uses the domain XML's).
    var same: Bool
    var cpuDifference: CPUDifference
    var hunks: [Hunk]

    /// - Parameter diff: ``SaveImg/DiffCPU/cpuDiff(_:context:)`` of `image`.
    init(_ image: SaveImage, diff: UnifiedDiff?) {
        file = image.path
        cookieHasCPU = image.cookie?.cpu != nil
        cpuDifference = image.cpuDifference
        same = diff?.isEmpty ?? true
        hunks = (diff?.hunks ?? []).map { hunk in
            Hunk(oldStart: hunk.oldStart, oldCount: hunk.oldCount, newStart: hunk.newStart,
                 newCount: hunk.newCount, lines: hunk.lines.map { line in
                     let kind = switch line.kind { case .same: "same"; case .removed: "removed"; case .added: "added" }
                     return Hunk.Line(kind: kind, text: line.text)
                 })
        }
    }
}
