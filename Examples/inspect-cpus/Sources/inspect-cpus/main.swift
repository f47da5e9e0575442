// inspect-cpus IMAGE...                      the CPUs of each image
// inspect-cpus IMAGE --add-note OUTPUT       also write a copy of IMAGE with
//                                            an extension document chained
//                                            after the cookie
#if canImport(Glibc)
import Glibc
#endif
import SaveImage

/// Prints what libvirt will compare at restore: the CPU the user defined
/// (domain XML) and the CPU QEMU ran (the save cookie).
func describeCPUs(of image: SaveImage) {
    print("\(image.path): domain \(image.domain.name ?? "?")")
    print("  defined CPU  \(image.domain.cpu?.model ?? "none")")
    if let cookieCPU = image.cookie?.cpu {
        let features = cookieCPU.features.map { "\($0.policy) \($0.name)" }
        print("  QEMU ran     \(cookieCPU.model ?? "?") [\(features.joined(separator: ", "))]")
        print("  difference   \(image.cpuDifference.summary)")
    } else {
        print("  QEMU ran     (the cookie records no CPU; restore uses the defined one)")
    }
    for finding in image.findings where finding.severity != .info {
        print("  \(finding.severity.rawValue): \(finding.message)")
    }
}

/// Writes a copy of `path` to `output` with a document chained after the
/// cookie; the original is not modified.
func addNote(to path: String, output: String) throws {
    let note = Array("<note xmlns='https://example.org/inspect-cpus'>CPUs checked</note>".utf8)
    let editor = ImageEditor(path: path, output: output)
    let result = try editor.run { image in try image.addingExtension(note) }
    print("wrote \(output) (\(result.plan.strategy.rawValue)): \(result.plan.result.extensions.count) extension(s)")
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard !arguments.isEmpty else {
    print("usage: inspect-cpus IMAGE... | inspect-cpus IMAGE --add-note OUTPUT")
    exit(1)
}
do {
    if arguments.count == 3, arguments[1] == "--add-note" {
        try addNote(to: arguments[0], output: arguments[2])
        describeCPUs(of: try SaveImage(contentsOf: arguments[2]))
    } else {
        for path in arguments { describeCPUs(of: try SaveImage(contentsOf: path)) }
    }
} catch {
    print("inspect-cpus: \(error)")
    exit(2)
}
