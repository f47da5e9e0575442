/// Text from a save image or a file name, made safe to show on a terminal.
///
/// A save image is untrusted input: an extension document's root name, a
/// message quoting the file, or a file name that `scan` walks past can hold
/// escape sequences that retitle the terminal, clear it, move the cursor or
/// (with `\r` or the bidirectional overrides) make one verdict look like
/// another. Every line the CLI prints goes through ``escaped(_:)`` (the
/// module's `print` below), which writes each such character as `\u001b`,
/// `\u009b`, `\u202e`...: a notation that is readable in text and also a
/// valid escape inside a JSON string, so JSON lines stay valid and mean the
/// same. Kept: `\n` and `\t`. Coloured output (`scan`, `diff-cpu`) is the
/// one exception: ``TextStyle`` escapes each part as it paints it, and the
/// composed line is printed with ``printComposedLine(_:)``.
enum TerminalSafeText {
    /// Whether `scalar` is shown as `\uXXXX`: C0 controls but tab and newline,
    /// DEL, C1 controls, and the bidirectional embedding, override and isolate marks.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: false
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// `text` with every character ``needsEscape(_:)`` names written as `\uXXXX`.
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else { out.append(scalar); continue }
            let hex = String(scalar.value, radix: 16)
            out.append(contentsOf: ("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
        }
        return String(out)
    }

    /// Bytes for standard output when it is a terminal: the same escaping for
    /// the raw documents `dumpxml` and `ext show` print (a pipe or file gets
    /// them byte for byte). Bytes that are not UTF-8 are shown as U+FFFD.
    static func escapedForTerminal(_ bytes: [UInt8]) -> [UInt8] {
        Array(escaped(String(decoding: bytes, as: UTF8.self)).utf8)
    }
}

/// The CLI's `print`: Swift's, with the text made terminal-safe (``TerminalSafeText``).
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Swift.print(TerminalSafeText.escaped(items.map { "\($0)" }.joined(separator: separator)), terminator: terminator)
}

/// The CLI's `print(_:to:)`: Swift's, with the text made terminal-safe.
func print<Target: TextOutputStream>(
    _ items: Any..., separator: String = " ", terminator: String = "\n", to output: inout Target
) {
    Swift.print(TerminalSafeText.escaped(items.map { "\($0)" }.joined(separator: separator)), terminator: terminator, to: &output)
}

/// Prints a line composed by ``TextStyle`` as it is: its colour sequences are
/// the only control characters in it, because every part taken from a file
/// was escaped as the line was composed (``TextStyle`` and the `scan` and
/// `diff-cpu` renderers do that).
func printComposedLine(_ line: String) {
    Swift.print(line)
}
