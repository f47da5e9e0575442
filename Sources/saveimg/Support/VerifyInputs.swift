import ArgumentParser
import FoundationEssentials
import SaveImage

/// File arguments of `saveimg verify`: files as given, directories expanded.
enum VerifyInputs {
    /// Files in argument order; a directory contributes its save images
    /// (files with a `LibvirtQemud` magic, sorted; subdirectories only with
    /// `recursive`). Files named explicitly are always verified.
    static func expand(_ paths: [String], recursive: Bool) throws -> [String] {
        var files: [String] = []
        for path in paths {
            guard isDirectory(path) else { files.append(path); continue }  // unreadable ones are reported per image
            files += try directoryFiles(path, recursive: recursive)
        }
        return files
    }

    private static func directoryFiles(_ directory: String, recursive: Bool) throws -> [String] {
        var files: [String] = []
        let manager = FileManager.default
        for name in try manager.contentsOfDirectory(atPath: directory).sorted() {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            if isDirectory(path) {
                if recursive { files += try directoryFiles(path, recursive: true) }
            } else if SaveImage.hasSaveImageMagic(path: path) {
                files.append(path)
            }
        }
        return files
    }

    private static func isDirectory(_ path: String) -> Bool {
        let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
        return type == .typeDirectory
    }

    /// A small input file's bytes (capabilities, XML), or a usage error naming it.
    static func bytes(_ path: String) throws -> [UInt8] {
        do {
            return try readSmallFile(path)
        } catch {
            throw ValidationError("cannot read \(path): \(error.reason)")
        }
    }
}
