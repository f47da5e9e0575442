import ArgumentParser
import SaveImage

/// File arguments of `saveimg verify`: files as given, directories expanded.
enum VerifyInputs {
    /// Files in argument order; a directory contributes its save images
    /// (files with a `LibvirtQemud` magic, in the walker's name order;
    /// subdirectories only with `recursive`). Files named explicitly are
    /// always verified. `skippedDirectories` counts subdirectories left out
    /// for want of `recursive`.
    static func expand(_ paths: [String], recursive: Bool) -> (files: [String], skippedDirectories: Int) {
        var files: [String] = []
        var skipped = 0
        for path in paths {
            guard FileStatus(following: path)?.isDirectory == true else { files.append(path); continue }  // reported per image
            for entry in DirectoryWalker(roots: [path], maximumDepth: recursive ? nil : 1) {
                switch entry {
                case .file(let file, _): if SaveImage.hasSaveImageMagic(path: file) { files.append(file) }
                case .unreadable(let file, _): files.append(file)  // verify reports why
                case .notDescended: skipped += 1
                }
            }
        }
        return (files, skipped)
    }

    /// A small input file's bytes (capabilities, XML; `-` for standard input)
    /// through the one input reader, or a usage error naming it: these are
    /// options, so a bad one exits 1.
    static func bytes(_ path: String) throws -> [UInt8] {
        do { return try readInputBytes(path) } catch {
            throw ValidationError("cannot read \(path): \(error.found)")
        }
    }
}
