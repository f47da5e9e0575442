#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on standard error (bytes, rate, ETA), drawn only
/// when standard error is a terminal (and not `--quiet`) and at most ten times a second.
final class ProgressBar {
    private let label: String
    private let enabled = isatty(2) == 1 && !Verbosity.quiet
    private let start = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private var drawn = false

    init(label: String) { self.label = label }

    func update(done: UInt64, total: UInt64) {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - lastDraw >= .milliseconds(100) || done == total else { return }
        lastDraw = now
        let elapsed = max(0.001, Self.seconds(now - start))
        let rate = Double(done) / elapsed
        let fraction = total == 0 ? 1 : min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let eta = rate > 0 ? Double(total - min(total, done)) / rate : 0
        let line = "\(TerminalSafeText.escaped(label)) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            + "] \(Self.bytes(done))/\(Self.bytes(total)) \(Self.bytes(UInt64(rate)))/s ETA \(Int(eta.rounded()))s "
        // "\r" redraws the line: the one control character printed on purpose.
        Swift.print("\r" + line, terminator: "", to: &standardError)
        drawn = true
    }

    /// Ends the bar's line (once; later calls do nothing).
    func finish() {
        if enabled && drawn { print("", to: &standardError) }
        drawn = false
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) B" : String(Int(value * 10) / 10) + "." + String(Int(value * 10) % 10) + " " + units[unit]
    }
}
