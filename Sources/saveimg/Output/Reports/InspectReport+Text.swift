import SaveImage

extension InspectReport {
    /// The human-readable summary `saveimg inspect` prints.
    var text: String {
        var lines: [String] = ["\(file):"]
        func row(_ label: String, _ value: String) { lines.append("  " + label.padding(to: 14) + value) }
        let running = header.wasRunning == 0 ? "paused" : "running"
        row("header", "\(header.magic) version \(header.version), \(header.byteOrder)-endian")
        row("state", "was_running \(header.wasRunning) (restores \(running))")
        row("format", CompressionFormat(rawValue: header.format).labeled)  // `raw (0)`, `9 (unknown)`
        row("data_len", "\(header.dataLen)  cookieOffset \(header.cookieOffset)")
        row("domain", "\(domain.name ?? "?")  uuid \(domain.uuid ?? "?")")
        row("memory", "\(domain.memoryKib.map { "\($0) KiB" } ?? "?")  vcpus \(domain.vcpus.map(String.init) ?? "?")")
        row("platform", "\(domain.arch ?? "?") \(domain.machine ?? "?")")
        row("cpu (domain)", domain.cpu.map(Self.describe) ?? "none")
        if cookie.present {
            row("cpu (cookie)", cookie.cpu.map(Self.describe) ?? "none recorded")
            // One rule with diff-cpu and scan: no cookie <cpu>, no difference (restore uses the domain XML's).
            row("cpu added", cookie.cpu == nil ? "none (no cookie cpu: restore uses the domain XML's CPU)" : cpuDifference.summary)
            row("cookie", "<cookie> " + (["cpu"].filter { _ in cookie.cpu != nil } + (cookie.otherElements ?? [])).joined(separator: ", "))
        } else {
            row("cookie", "none (cookieOffset \(header.cookieOffset))")
        }
        if !extensions.isEmpty {
            row("extensions", extensions.map { "<\($0.root ?? "?")> \($0.size) B" }.joined(separator: ", "))
        }
        var streamText = "\(stream.kind), \(stream.size) bytes at \(stream.offset)"
        if let machine = stream.machineType { streamText += ", machine \(machine)" }
        row("stream", streamText)
        if let sparse {
            let allocated = sparse.allocatedBytes.map { "\($0) allocated" } ?? "allocation unknown"
            row("sparse", "\(sparse.apparentBytes) bytes apparent, \(allocated); capabilities \(sparse.capabilities.joined(separator: ", "))")
            row("ram blocks", "\(sparse.pagesPresent) pages present, \(sparse.holes) holes; device state at \(sparse.deviceStateOffset)")
            for block in sparse.blocks {
                let address = block.guestAddress.map { " at guest address \(Hex.number($0))" } ?? ""
                if block.skipped == true {
                    lines.append("    \(block.name): \(block.size) bytes, \(block.pages) pages of \(block.pageSize)\(address): "
                        + "skipped under x-ignore-shared (its pages are in shared memory, not in the image); header at \(block.headerOffset)")
                    continue
                }
                lines.append("    \(block.name): \(block.size) bytes, \(block.pages) pages of \(block.pageSize)\(address): \(block.pagesPresent) present, "
                    + "\(block.holes) holes; header at \(block.headerOffset), bitmap at \(block.bitmapOffset), pages at \(block.pagesOffset)")
            }
        }
        lines.append("  layout")
        lines.append("    " + "offset".padding(to: 12) + "size".padding(to: 12) + "part")
        for segment in layout {
            lines.append("    " + String(segment.offset).padding(to: 12) + String(segment.size).padding(to: 12)
                         + segment.name + (segment.detail.map { "  (\($0))" } ?? ""))
        }
        if !findings.isEmpty {
            lines.append("  findings")
            for finding in findings {
                var text = "    [\(finding.severity)] \(finding.message)"
                if let libvirt = finding.libvirtMessage { text += "\n      libvirt: \(libvirt)" }
                lines.append(text)
            }
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ cpu: CPU) -> String {
        var parts = [[cpu.mode, cpu.match, cpu.check].compactMap { $0 }.joined(separator: "/")]
        if let model = cpu.model { parts.append(model) }
        parts += cpu.features.map { ($0.policy.removesFeature ? "-" : "+") + $0.name }
        return parts.joined(separator: " ")
    }
}

extension String {
    /// Pads with spaces to at least `width` characters.
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
