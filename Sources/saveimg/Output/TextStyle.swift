import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `--color auto|always|never`.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Colour when standard output is a terminal and `NO_COLOR` is unset or empty.
    case auto
    case always
    case never
}

/// ANSI colour for people reading a terminal; plain text for pipes, files and
/// `NO_COLOR` users (https://no-color.org).
struct TextStyle: Sendable {
    var enabled: Bool

    init(enabled: Bool) { self.enabled = enabled }

    /// Decides for standard output.
    init(_ choice: ColorChoice) {
        switch choice {
        case .always: enabled = true
        case .never: enabled = false
        case .auto:
            let noColor = getenv("NO_COLOR").map { String(cString: $0) } ?? ""
            enabled = isatty(1) == 1 && noColor.isEmpty
        }
    }

    func red(_ text: String) -> String { paint(text, "31") }
    func green(_ text: String) -> String { paint(text, "32") }
    func yellow(_ text: String) -> String { paint(text, "33") }
    func cyan(_ text: String) -> String { paint(text, "36") }
    func bold(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }

    private func paint(_ text: String, _ code: String) -> String {
        enabled && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
