extension SaveImage {
    /// What ``probe(path:)`` found at a path.
    public enum Probe: Sendable {
        /// Not a save image: shorter than the 16-byte magic, or a magic that
        /// does not start with `LibvirtQemud`. Fleet scans skip these.
        case notSaveImage
        /// A save image libvirt can read.
        case image(SaveImage)
        /// A file with a `LibvirtQemud` magic that libvirt would refuse to
        /// read (an unfinished save, a truncated or damaged data region ...).
        case invalid(SaveImageError)
        /// The file could not be opened or read, so it is unknown whether it
        /// is a save image; or saveimg's limits against hostile files stop it
        /// reading one (``SaveImageError/stopsSaveimgOnly``), which libvirt may read.
        case unreadable(SaveImageError)
    }

    /// The magic's common prefix: both `LibvirtQemudSave` and `LibvirtQemudPart` start with it.
    public static let magicPrefix: [UInt8] = Array("LibvirtQemud".utf8)

    /// Opens `path` once and reads it as a save image if its first 16 bytes
    /// look like one; reads only the metadata (see ``init(reading:)``).
    public static func probe(path: String) -> Probe {
        do {
            let file = try PositionalFile(openingForReading: path)
            let magic = try file.read(at: 0, count: HeaderMagic.complete.bytes.count)
            guard magic.count == HeaderMagic.complete.bytes.count, magic.starts(with: magicPrefix) else {
                return .notSaveImage
            }
            do {
                return .image(try SaveImage(reading: file))
            } catch {
                return error.stopsSaveimgOnly ? .unreadable(error) : .invalid(error)
            }
        } catch {
            return .unreadable(error)
        }
    }
}

extension SaveImage {
    /// Whether the file at `path` starts with a `LibvirtQemud` magic (reads 16
    /// bytes). Directory scans use it to skip files that are not save images.
    public static func hasSaveImageMagic(path: String) -> Bool {
        guard let file = try? PositionalFile(openingForReading: path),
              let magic = try? file.read(at: 0, count: HeaderMagic.complete.bytes.count)
        else { return false }
        return magic.count == HeaderMagic.complete.bytes.count && magic.starts(with: magicPrefix)
    }
}
