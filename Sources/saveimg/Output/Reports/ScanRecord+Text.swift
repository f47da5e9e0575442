import SaveImage

/// `saveimg scan`'s table: fixed-width columns so that lines printed as
/// results stream in line up; the file name comes last because it has no
/// useful maximum width.
extension ScanRecord {
    enum Column {
        static let verdict = 13
        static let state = 7
        static let format = 6
        static let size = 13
        static let domain = 20
        static let cpuDelta = 32
        /// The longest reason printed after FILE.
        static let reason = 100
    }

    /// The column titles.
    static func tableHeader(style: TextStyle) -> String {
        style.bold(row("VERDICT", "STATE", "FORMAT", "SIZE/ALLOC", "DOMAIN", "CPU DELTA", "FILE"))
    }

    /// One aligned line; an unreadable or invalid image's line ends with the error.
    func tableLine(style: TextStyle) -> String {
        // Apparent size / allocated size (a sparse image allocates less).
        let size = (fileSize.map(humanSize) ?? "-") + "/" + (allocatedBytes.map(humanSize) ?? "-")
        var line = Self.row(verdict.rawValue, style.plain(state ?? "-"), style.plain(format ?? "-"), size,
                            style.plain(domain?.name ?? "-"), style.plain(cpuDelta ?? "-"), style.plain(file),
                            paintVerdict: style.enabled ? paint(style) : nil)
        if let error { line += "  " + style.red(Self.describe(error)) }
        if error == nil, let reason = firstReason { line += "  " + style.plain(reason) }
        if let forecast {
            line += "  \(forecast.machine): " + (forecast.refusedFrom.map { "refused from QEMU \($0)" } ?? "no versioned machine type")
            if forecast.deprecatedOnTarget { line += style.yellow(" (deprecated on the target)") }
        }
        return line
    }

    /// Why an image is not ok, in one short clause: the first finding at the verdict's severity,
    /// `[code] message` cut at ``Column/reason`` characters, and how many more there are
    /// (`saveimg verify FILE` prints them all).
    var firstReason: String? {
        guard verdict > .info, let first = findings.first(where: { $0.severity == verdict }) ?? findings.first else { return nil }
        var text = "[\(first.code)] \(first.message)"
        if text.count > Column.reason { text = String(text.prefix(Column.reason - 1)) + "…" }
        let more = findings.filter { $0.severity >= .warning }.count - 1
        if more > 0 { text += " (+\(more) more: saveimg verify)" }
        return text
    }

    private func paint(_ style: TextStyle) -> (String) -> String {
        switch verdict {
        case .ok, .info: style.green
        case .warning, .cannotTell: style.yellow
        case .restoreFails, .invalid, .unreadable: { style.bold(style.red($0)) }
        }
    }

    private static func row(_ verdict: String, _ state: String, _ format: String, _ size: String, _ domain: String,
                            _ cpuDelta: String, _ file: String, paintVerdict: ((String) -> String)? = nil) -> String {
        let verdictCell = verdict.fitted(to: Column.verdict)
        return [
            paintVerdict.map { $0(verdictCell) } ?? verdictCell,
            state.fitted(to: Column.state),
            format.fitted(to: Column.format),
            String(repeating: " ", count: max(0, Column.size - size.count)) + size,
            domain.fitted(to: Column.domain),
            abbreviatedDelta(cpuDelta).fitted(to: Column.cpuDelta),
            file,
        ].joined(separator: " ")
    }

    /// Keeps whole `+feature` words that fit and counts the rest: `+a +b (+3)`.
    static func abbreviatedDelta(_ delta: String) -> String {
        guard delta.count > Column.cpuDelta else { return delta }
        let words = delta.split(separator: " ")
        var kept: [Substring] = []
        for (index, word) in words.enumerated() {
            let rest = " (+\(words.count - index - 1))"
            if (kept + [word]).joined(separator: " ").count + rest.count > Column.cpuDelta { break }
            kept.append(word)
        }
        return (kept.joined(separator: " ") + " (+\(words.count - kept.count))").trimmingLeadingSpace
    }

    /// The error without the file name (the line already shows it).
    static func describe(_ error: ErrorDetail) -> String {
        var text = error.offset.map { "offset \($0): " } ?? ""
        if let field = error.field, let expected = error.expected, let found = error.found {
            text += "\(field): expected \(expected), found \(found)"
        } else {
            text += error.message
        }
        if let libvirt = error.libvirtMessage { text += " (libvirt: \(libvirt))" }
        return text
    }
}

extension ScanSummary {
    /// `7 save images: 5 ok, 1 warning, 1 invalid (3.4 MiB in all); 2 other files skipped`.
    func text(style: TextStyle) -> String {
        var counts: [String] = []
        if ok > 0 { counts.append(style.green("\(ok) ok")) }
        if warning > 0 { counts.append(style.yellow("\(warning) warning")) }
        if cannotTell > 0 { counts.append(style.yellow("\(cannotTell) cannot_tell")) }
        if restoreFails > 0 { counts.append(style.red("\(restoreFails) restore_fails")) }
        if invalid > 0 { counts.append(style.red("\(invalid) invalid")) }
        var line = "\(images) save image\(images == 1 ? "" : "s")"
        if !counts.isEmpty { line += ": " + counts.joined(separator: ", ") }
        line += " (\(humanSizeWithUnit(totalBytes)) in all)"
        line += "; \(skipped) other file\(skipped == 1 ? "" : "s") skipped"
        if unreadable > 0 { line += "; " + style.red("\(unreadable) unreadable") }
        return line
    }
}

/// Sizes as `ls -h` prints them: 1023, 577K, 1.1M, 16G (powers of 1024).
func humanSize(_ bytes: UInt64) -> String {
    let units = ["K", "M", "G", "T", "P", "E"]
    guard bytes >= 1024 else { return "\(bytes)" }
    var value = Double(bytes)
    var unit = -1
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    if value < 10 {
        let tenths = (value * 10).rounded(.up)
        return tenths >= 100 ? "10\(units[unit])" : "\(Int(tenths) / 10).\(Int(tenths) % 10)\(units[unit])"
    }
    return "\(Int(value.rounded(.up)))\(units[unit])"
}

/// ``humanSize(_:)`` with its unit, for prose: `1023 bytes`, `577 KiB`, `4.4 MiB`.
func humanSizeWithUnit(_ bytes: UInt64) -> String {
    let short = humanSize(bytes)
    guard let unit = short.last, unit.isLetter else { return "\(short) byte\(bytes == 1 ? "" : "s")" }
    return "\(short.dropLast()) \(unit)iB"
}

extension String {
    /// Left-aligned in `width` columns; longer text is cut with an ellipsis.
    func fitted(to width: Int) -> String {
        if count > width { return prefix(width - 1) + "…" }
        return self + String(repeating: " ", count: width - count)
    }

    fileprivate var trimmingLeadingSpace: String { String(drop(while: { $0 == " " })) }
}
