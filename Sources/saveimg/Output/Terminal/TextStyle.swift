import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `--color auto|always|never`.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Colour when standard output is a terminal, `NO_COLOR` is unset or
    /// empty and `TERM` is not `dumb` (a terminal without escape sequences).
    case auto
    case always
    case never
}

/// ANSI colour for people reading a terminal; plain text for pipes, files and
/// `NO_COLOR` users (https://no-color.org). Whatever it paints it escapes
/// first (``TerminalSafeText``), so the lines it composes can be printed as
/// they are (``printComposedLine(_:)``).
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
            let term = getenv("TERM").map { String(cString: $0) } ?? ""
            enabled = isatty(1) == 1 && noColor.isEmpty && term != "dumb"
        }
    }

    func red(_ text: String) -> String { paint(text, "31") }
    func green(_ text: String) -> String { paint(text, "32") }
    func yellow(_ text: String) -> String { paint(text, "33") }
    func cyan(_ text: String) -> String { paint(text, "36") }
    func bold(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }

    /// `text`, escaped (``TerminalSafeText``), between the colour's sequences.
    private func paint(_ text: String, _ code: String) -> String {
        let safe = TerminalSafeText.escaped(text)
        return enabled && !safe.isEmpty ? "\u{1B}[\(code)m\(safe)\u{1B}[0m" : safe
    }

    /// `text` escaped, not coloured: the plain parts of a coloured line.
    func plain(_ text: String) -> String { TerminalSafeText.escaped(text) }
}
