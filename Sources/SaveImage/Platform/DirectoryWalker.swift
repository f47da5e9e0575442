#if canImport(Glibc)
import Glibc
#endif

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
    }

    private struct Frame {
        var directory: String
        var names: [String]
        var next = 0
    }

    private var roots: [String]
    private var nextRoot = 0
    private var stack: [Frame] = []
    private var visited: Set<FileIdentity> = []

    /// Walks `roots` (directories or files) in the order given.
    public init(roots: [String]) { self.roots = roots }

    public mutating func next() -> Entry? {
        while true {
            if var frame = stack.popLast() {
                guard frame.next < frame.names.count else { continue }
                let name = frame.names[frame.next]
                frame.next += 1
                stack.append(frame)
                let path = frame.directory.hasSuffix("/") ? frame.directory + name : frame.directory + "/" + name
                if let entry = visit(path, followLinks: false) { return entry }
            } else {
                guard nextRoot < roots.count else { return nil }
                let root = roots[nextRoot]
                nextRoot += 1
                if let entry = visit(root, followLinks: true) { return entry }
            }
        }
    }

    /// Yields a file, descends into a directory (returns nil), or skips.
    private mutating func visit(_ path: String, followLinks: Bool) -> Entry? {
        guard var info = FileInfo(path: path, followLinks: followLinks) else {
            return followLinks ? .unreadable(path: path, reason: String(cString: strerror(errno))) : nil
        }
        if info.kind == .link {
            guard let target = FileInfo(path: path, followLinks: true), target.kind == .regular else { return nil }
            info = target
        }
        switch info.kind {
        case .regular:
            return .file(path: path, size: info.size)
        case .directory:
            guard visited.insert(info.identity).inserted else { return nil }
            switch Self.entryNames(of: path) {
            case .success(let names): stack.append(Frame(directory: path, names: names))
            case .failure(let error): return .unreadable(path: path, reason: error.reason)
            }
            return nil
        case .link, .other:
            return followLinks ? .unreadable(path: path, reason: "not a directory or a regular file") : nil
        }
    }

    private struct ReadError: Error { var reason: String }

    /// The names in a directory (without `.` and `..`), sorted by bytes.
    private static func entryNames(of path: String) -> Result<[String], ReadError> {
        guard let directory = opendir(path) else { return .failure(ReadError(reason: String(cString: strerror(errno)))) }
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

/// What `stat`/`lstat` says about a path, reduced to what the walk needs.
private struct FileInfo {
    enum Kind { case regular, directory, link, other }
    var kind: Kind
    var size: UInt64
    var identity: FileIdentity

    init?(path: String, followLinks: Bool) {
        var st = stat()
        guard (followLinks ? stat(path, &st) : lstat(path, &st)) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .link
        default: kind = .other
        }
        size = st.st_size < 0 ? 0 : UInt64(st.st_size)
        identity = FileIdentity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }
}
