#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// Walks directory trees depth-first, entries in byte order of their names,
/// yielding regular files one at a time (the tree is never held in memory:
/// only the entry names of the directories on the current path).
///
/// - Roots are followed when they are symbolic links (like `find -H`).
/// - Inside a tree, symbolic links to regular files are yielded; symbolic
///   links to directories are not followed, so a link loop cannot make the
///   walk endless. A directory reached twice (bind mounts, overlapping roots)
///   is walked once.
/// - FIFOs, sockets and devices are skipped: opening them could block.
/// - With a `maximumDepth`, directories deeper than that are not read but
///   reported (``Entry/notDescended(path:)``), so a caller can say why their
///   files were left out (`verify DIR` without `--recursive`).
///
/// ```swift
/// for entry in DirectoryWalker(roots: ["/var/lib/libvirt/qemu/save"]) {
///     if case .file(let path, let size) = entry { print(path, size) }
/// }
/// ```
public struct DirectoryWalker: Sequence, IteratorProtocol {
    /// One thing the walk found.
    public enum Entry: Hashable, Sendable {
        /// A regular file (or a link to one) and its size in bytes.
        case file(path: String, size: UInt64)
        /// A root or directory that could not be read, and why.
        case unreadable(path: String, reason: String)
        /// A directory below `maximumDepth` that the walk did not read.
        case notDescended(path: String)
    }

    private struct Frame {
        var directory: String
        var names: [String]
        var next = 0
        /// 1 for a root directory's entries, 2 below them ...
        var depth: Int
    }

    private var roots: [String]
    private var nextRoot = 0
    private var stack: [Frame] = []
    private var visited: Set<FileIdentity> = []
    private let maximumDepth: Int?

    /// Walks `roots` (directories or files) in the order given.
    ///
    /// - Parameter maximumDepth: how many directory levels to read below each
    ///   root directory: 1 reads only the root's own entries (a directory in
    ///   it is reported as ``Entry/notDescended(path:)``); nil reads the whole tree.
    public init(roots: [String], maximumDepth: Int? = nil) {
        self.roots = roots
        self.maximumDepth = maximumDepth
    }

    public mutating func next() -> Entry? {
        while true {
            if var frame = stack.popLast() {
                guard frame.next < frame.names.count else { continue }
                let name = frame.names[frame.next]
                frame.next += 1
                stack.append(frame)
                let path = frame.directory.hasSuffix("/") ? frame.directory + name : frame.directory + "/" + name
                if let entry = visit(path, followLinks: false, depth: frame.depth + 1) { return entry }
            } else {
                guard nextRoot < roots.count else { return nil }
                let root = roots[nextRoot]
                nextRoot += 1
                if let entry = visit(root, followLinks: true, depth: 1) { return entry }
            }
        }
    }

    /// Yields a file, descends into a directory (returns nil), or skips.
    /// `depth` is the level of the entries a directory here would hold.
    private mutating func visit(_ path: String, followLinks: Bool, depth: Int) -> Entry? {
        let status: FileStatus
        if followLinks {
            switch FileStatus.following(path) {
            case .success(let found): status = found
            case .failure(let error): return .unreadable(path: path, reason: Self.reason(error))
            }
        } else {
            guard let found = FileStatus(ofLink: path) else { return nil }
            if found.isSymbolicLink {
                guard case .success(let target) = FileStatus.following(path), target.isRegularFile else { return nil }
                status = target
            } else {
                status = found
            }
        }
        if status.isRegularFile { return .file(path: path, size: status.size) }
        guard status.isDirectory else {
            return followLinks ? .unreadable(path: path, reason: "not a directory or a regular file") : nil
        }
        if let maximumDepth, depth > maximumDepth { return .notDescended(path: path) }
        guard visited.insert(FileIdentity(device: status.device, inode: status.inode)).inserted else { return nil }
        switch Self.entryNames(of: path) {
        case .success(let names): stack.append(Frame(directory: path, names: names, depth: depth))
        case .failure(let error): return .unreadable(path: path, reason: Self.reason(error))
        }
        return nil
    }

    /// An errno as the walk reports it ("No such file or directory").
    private static func reason(_ error: Errno) -> String { String(cString: strerror(error.rawValue)) }

    /// The names in a directory (without `.` and `..`), sorted by bytes.
    private static func entryNames(of path: String) -> Result<[String], Errno> {
        guard let directory = opendir(path) else { return .failure(Syscall.currentErrno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return .success(names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    }
}

/// A file's device and inode: what makes two paths the same directory.
private struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64
}
