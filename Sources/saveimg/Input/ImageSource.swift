import ArgumentParser
import SaveImage
import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// `--managed-save NAME`: libvirt's managed save of a domain
/// (`virsh managedsave NAME`) instead of a FILE argument, as virsh's
/// `managedsave-*` commands take a domain name where `save-image-*` take a path.
struct ImageSource: ParsableArguments {
    /// libvirt's default directory for managed saves (QEMU driver, system instance).
    static let defaultDirectory = "/var/lib/libvirt/qemu/save"
    /// Environment variable naming another directory.
    static let environmentVariable = "SAVEIMG_MANAGED_SAVE_DIR"

    @Option(name: .customLong("managed-save"),
            help: ArgumentHelp("Use the managed save of domain NAME (as `virsh managedsave-*` do) instead of a file.",
                               valueName: "NAME"),
            completion: .custom { _, _, _ in ImageSource.domainNames(in: ImageSource.directory(nil)) })
    var managedSave: String?

    @Option(name: .customLong("managed-save-dir"),
            help: ArgumentHelp("Where libvirt keeps managed saves (default: $\(ImageSource.environmentVariable), "
                               + "else \(ImageSource.defaultDirectory)).", valueName: "DIR"),
            completion: .directory)
    var managedSaveDirectory: String?

    @Flag(name: .customLong("read-only"),
          help: "Write nothing: report an image saveimg's interrupted edit left behind instead of rolling it back (see `saveimg recover`).")
    var readOnly = false

    /// Opens and reads the image at `path`: rolls back saveimg's own
    /// interrupted edit first, unless --read-only.
    func open(_ path: String) throws(SaveImageError) -> SaveImage {
        try SaveImage.open(path, recovery: readOnly ? .readOnly : .rollBack)
    }

    /// The directory managed saves are looked up in.
    static func directory(_ option: String?) -> String {
        if let option { return option }
        if let value = getenv(environmentVariable), value.pointee != 0 { return String(cString: value) }
        return defaultDirectory
    }

    /// The domains with a managed save in `directory` (for shell completion).
    static func domainNames(in directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasSuffix(".save"), name.count > 5 { names.append(String(name.dropLast(5))) }
        }
        return names.sorted()
    }

    func validate() throws {
        if managedSaveDirectory != nil && managedSave == nil {
            throw ValidationError("--managed-save-dir needs --managed-save NAME")
        }
        if let name = managedSave, name.isEmpty || name.contains("/") || name == "." || name == ".." {
            throw ValidationError("--managed-save takes a domain name (no '/'), got '\(name)'")
        }
    }

    /// The image path: `file`, or the managed save's path. Exactly one must be given.
    func path(_ file: String?) throws -> String {
        switch (file, managedSave) {
        case (let file?, nil): return file
        case (nil, let name?): return try Self.managedSavePath(name, directory: managedSaveDirectory)
        case (.some, .some): throw ValidationError("give FILE or --managed-save NAME, not both")
        case (nil, nil): throw ValidationError("missing FILE (or --managed-save NAME)")
        }
    }

    /// For a command whose FILE is followed by another argument: with
    /// --managed-save and one positional argument, that argument is the second.
    func shifted(_ file: String?, _ second: String?) -> (file: String?, second: String?) {
        managedSave != nil && second == nil ? (nil, file) : (file, second)
    }

    /// FILE and the extension index N that follows it (`ext show`, `ext remove`).
    func pathAndIndex(_ file: String?, _ index: Int?) throws -> (path: String, index: Int) {
        let (fileArgument, second) = shifted(file, index.map(String.init))
        let path = try self.path(fileArgument)
        guard let index = second.flatMap({ Int($0) }) else { throw ValidationError("missing the extension index N") }
        return (path, index)
    }

    /// The paths of several file arguments plus the managed save, if any.
    func paths(_ files: [String]) throws -> [String] {
        let managed = try managedSave.map { try Self.managedSavePath($0, directory: managedSaveDirectory) }
        let all = files + (managed.map { [$0] } ?? [])
        if all.isEmpty { throw ValidationError("missing FILE (or --managed-save NAME)") }
        return all
    }

    /// DIR/NAME.save, which must exist (libvirt: "domain does not have managed save image").
    static func managedSavePath(_ name: String, directory: String?) throws -> String {
        let path = Self.directory(directory) + "/" + name + ".save"
        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = Errno(rawValue: errno).description
            throw CommandFailure(code: .noManagedSave, path: path,
                                 message: "no managed save for domain '\(name)': \(reason) "
                                     + "(virsh: \"domain does not have managed save image\")")
        }
        return path
    }
}
