import Foundation
import Testing
@testable import SaveImage

/// Helpers for the editing tests: fixture copies, CPUs, byte comparisons.
enum EditFixtures {
    /// A copy of fixture `name` in `directory`.
    static func copy(_ name: String, into directory: TemporaryDirectory, as newName: String? = nil) throws -> String {
        try directory.write(newName ?? name, try Fixtures.bytes(name))
    }

    /// The domain XML's CPU model, or qemu64 when the domain has none.
    static func cpuXML(model: String, features: [String]) -> [UInt8] {
        var text = "<cpu mode='custom' match='exact' check='full'>\n  <model fallback='forbid'>\(model)</model>\n"
        for feature in features { text += "  <feature policy='require' name='\(feature)'/>\n" }
        return Array((text + "</cpu>\n").utf8)
    }

    /// A CPU for `image` with the domain's model (the cookie's model when the domain has none).
    static func updatedCPU(for image: SaveImage) throws(SaveImageError) -> XMLElement {
        let model = image.domain.cpu?.model ?? image.cookie?.cpu?.model ?? "qemu64"
        return try CPUXML.parse(cpuXML(model: model, features: ["hypervisor", "lahf_lm", "x2apic"]), path: "cpu.xml")
    }

    static func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Offsets where two equally long byte arrays differ, as ranges.
    static func differingOffsets(_ a: [UInt8], _ b: [UInt8]) -> [Int] {
        zip(a, b).enumerated().compactMap { $0.element.0 == $0.element.1 ? nil : $0.offset }
    }
}
