import Foundation
import Testing

/// The library's folders depend on each other one way only: a folder may use
/// the types of the folders below it in ``FolderLayering/order``, never those
/// above it. Subfolders are folders of their own (`Stream/Deep` and
/// `Stream/MappedRAM` are ranked like any other). Computed from the sources:
/// every top-level type, protocol and typealias a folder declares, and every
/// file that names one declared in another folder, `Type.member` included.
@Suite("Architecture: folder dependencies point one way")
struct FolderLayeringTests {
    @Test func everyFolderUsesOnlyTheFoldersBelowIt() throws {
        let layering = try FolderLayering(root: FolderLayering.libraryRoot)
        #expect(Set(layering.folders) == Set(FolderLayering.order),
                "folders on disk and in the declared order differ: \(layering.folders.sorted())")
        var violations: [String] = []
        for (from, uses) in layering.dependencies.sorted(by: { $0.key < $1.key }) {
            guard let rank = FolderLayering.order.firstIndex(of: from) else { continue }
            for (to, evidence) in uses.sorted(by: { $0.key < $1.key }) {
                guard let other = FolderLayering.order.firstIndex(of: to) else { continue }
                if other > rank { violations.append("\(from) -> \(to): \(evidence.sorted().prefix(3).joined(separator: ", "))") }
            }
        }
        #expect(violations.isEmpty, "upward dependencies:\n\(violations.joined(separator: "\n"))")
    }

    /// The command-line tool uses the library; the library never names the tool's types.
    @Test func theLibraryDoesNotDependOnTheCommandLineTool() throws {
        let tool = try FolderLayering.declaredTypes(in: FolderLayering.libraryRoot + "/../saveimg")
        let library = try FolderLayering.sources(in: FolderLayering.libraryRoot)
        let uses = library.flatMap { file in
            FolderLayering.identifiers(in: file.text).intersection(Set(tool.keys)).map { "\(file.path): \($0)" }
        }
        #expect(uses.isEmpty, "\(uses)")
    }
}

/// Folder-level dependency graph of `Sources/SaveImage`.
struct FolderLayering {
    /// Lowest first: each folder may use those before it.
    static let order = [
        "Errors", "Bytes", "IO", "XML", "Header", "DataRegion", "Domain",
        "Stream/Core", "Stream/Codecs", "Stream/MappedRAM", "Stream", "Stream/Deep",
        "Image", "Check", "Export", "Writing", "Writing/Convert", "Verify/Firmware", "Verify/DeviceState", "Verify",
        "Retarget",
    ]

    static let libraryRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/SaveImage").path
    }()

    /// Folders holding Swift files, subfolders included (the DocC catalogue is not code).
    var folders: [String]
    /// folder -> folder it uses -> "file: Type" lines showing it.
    var dependencies: [String: [String: Set<String>]] = [:]

    init(root: String) throws {
        let files = try Self.sources(in: root)
        var owner: [String: String] = [:]  // type name -> folder
        for file in files {
            for name in Self.declarations(in: file.text) { owner[name] = file.folder }
        }
        folders = Array(Set(files.map(\.folder)))
        for file in files {
            for name in Self.identifiers(in: file.text) {
                guard let folder = owner[name], folder != file.folder else { continue }
                dependencies[file.folder, default: [:]][folder, default: []].insert("\(file.name): \(name)")
            }
        }
    }

    struct Source { var path: String; var folder: String; var name: String; var text: String }

    static func sources(in root: String) throws -> [Source] {
        let manager = FileManager.default
        guard let walker = manager.enumerator(atPath: root) else { return [] }
        var files: [Source] = []
        for case let relative as String in walker where relative.hasSuffix(".swift") {
            let parts = relative.split(separator: "/")
            let folder = parts.count > 1 ? parts.dropLast().joined(separator: "/") : "."
            let text = try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
            files.append(Source(path: relative, folder: folder, name: String(parts.last ?? ""), text: stripped(text)))
        }
        return files
    }

    static func declaredTypes(in root: String) throws -> [String: String] {
        var owner: [String: String] = [:]
        for file in try sources(in: root) { for name in declarations(in: file.text) { owner[name] = file.path } }
        return owner
    }

    /// Names declared at the top level (no indentation): types, protocols, typealiases.
    static func declarations(in text: String) -> Set<String> {
        let pattern = #/^(?:public |internal |package |fileprivate |final |indirect )*(?:struct|class|enum|protocol|typealias|actor) +([A-Z][A-Za-z0-9_]*)/#
        var names: Set<String> = []
        for line in text.split(separator: "\n") {
            if let match = line.firstMatch(of: pattern) { names.insert(String(match.1)) }
        }
        return names
    }

    /// Capitalised identifiers used in the text (candidates for type names).
    /// Split on every character that cannot be in an identifier: Swift
    /// Regex's default `\b` follows Unicode word boundaries, for which
    /// `EditJournal.recoverForReader` is one word and the type would be missed.
    static func identifiers(in text: String) -> Set<String> {
        var names: Set<String> = []
        for word in text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) {
            guard let first = word.first, first.isUppercase, first.isASCII else { continue }
            names.insert(String(word))
        }
        return names
    }

    /// The text without comments and string literals (so doc comments that
    /// mention a type are not dependencies).
    static func stripped(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var line = line
            if let comment = line.range(of: "//") { line = line[..<comment.lowerBound] }
            return line
        }.joined(separator: "\n").replacing(#/"[^"\n]*"/#, with: "\"\"")
    }
}
