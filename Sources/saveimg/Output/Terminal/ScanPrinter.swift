import Synchronization

/// Prints `saveimg scan` results as they are delivered and counts them.
final class ScanPrinter: Sendable {
    let json: Bool
    let problemsOnly: Bool
    let style: TextStyle
    private let summary = Mutex(ScanSummary())

    init(json: Bool, problemsOnly: Bool, style: TextStyle) {
        self.json = json
        self.problemsOnly = problemsOnly
        self.style = style
    }

    /// The table header (text only).
    func start() {
        if !json { printComposedLine(ScanRecord.tableHeader(style: style)) }
    }

    /// One result; nil is a file that is not a save image.
    @Sendable func print(_ record: ScanRecord?) {
        summary.withLock { summary in
            guard let record else {
                summary.skipped += 1
                return
            }
            summary.count(record)
            if problemsOnly && record.verdict == .ok { return }
            if json { saveimg.print(Self.encoded(record)) } else { printComposedLine(record.tableLine(style: style)) }
        }
    }

    /// Prints the summary line and returns the counts.
    func finish() -> ScanSummary {
        let counts = summary.withLock { $0 }
        if json { saveimg.print(Self.encoded(counts)) } else { printComposedLine(counts.text(style: style)) }
        return counts
    }

    private static func encoded(_ value: some Encodable) -> String {
        (try? jsonLine(value)) ?? #"{"type":"error","message":"JSON encoding failed"}"#
    }
}
