#if canImport(Glibc)
import Glibc
#endif
import SystemPackage
import CZlib

/// The undo journal of an in-place data region rewrite (a `define` whose XML
/// fits in data_len): `.<name>.saveimg-journal` beside the image, holding the
/// old header and data region, so that an edit interrupted while the region
/// is torn can be rolled back (DESIGN.md, "Editing in place", "Rewriting the
/// data region in place").
///
/// Layout (little-endian): 16 bytes `SaveImgJournal01`; the image's device,
/// inode and size (u64 each); the length N of the old header and region (u32,
/// 92 + data_len); the CRC-32 (zlib) of the bytes from offset 48 to the end
/// (u32); the marker (u32); 4 zero bytes; the old 92-byte header (magic
/// `LibvirtQemudSave`) and the old data region.
///
/// While the region is torn the image's header is ``markedHeader``: the old
/// one with libvirt's `LibvirtQemudPart` magic, which libvirt refuses ("save
/// image is incomplete"), and the random non-zero marker in the last unused
/// header word (offset 88), which libvirt always writes as zero. The marker
/// is what tells saveimg's own interrupted edit from a save libvirt is still
/// writing (even into the same inode, beside a stale journal).
struct EditJournal: Equatable {
    static let magic: [UInt8] = Array("SaveImgJournal01".utf8)
    static let preludeSize = 56
    /// Where the marker goes in the header: the last of the unused words.
    static let markerOffset = 88

    var device: UInt64
    var inode: UInt64
    var imageSize: UInt64
    /// Random, non-zero: the last unused header word while the image is marked.
    var marker: UInt32
    /// The old header (92 bytes, `LibvirtQemudSave`).
    var header: [UInt8]
    /// The old data region (data_len bytes).
    var region: [UInt8]

    /// Where the journal of `imagePath` lives.
    static func path(for imagePath: String) -> String {
        let (directory, name) = ReplacementFile.split(imagePath)
        return directory + "/." + name + ".saveimg-journal"
    }

    /// The header the image carries while its region is torn.
    var markedHeader: [UInt8] {
        var bytes = header
        bytes.replaceSubrange(0..<16, with: Array("LibvirtQemudPart".utf8))
        bytes.replaceSubrange(Self.markerOffset..<Self.markerOffset + 4, with: Endianness.little.bytes(of: marker))
        return bytes
    }

    func serialized() -> [UInt8] {
        var checked = ByteWriter()
        checked.writeInteger(marker, .little)
        checked.writeInteger(UInt32(0), .little)
        checked.writeBytes(header)
        checked.writeBytes(region)
        var prelude = ByteWriter()
        prelude.writeBytes(Self.magic)
        for value in [device, inode, imageSize] { prelude.writeInteger(value, .little) }
        prelude.writeInteger(UInt32(truncatingIfNeeded: header.count + region.count), .little)  // bounded: a header and a region held in memory
        prelude.writeInteger(Self.crc(checked.bytes), .little)
        return prelude.bytes + checked.bytes
    }

    /// Parses a journal, checking its magic, length and checksum.
    init(parsing bytes: [UInt8], path: String) throws(SaveImageError) {
        func bad(_ field: String, _ expected: String, _ found: String) -> SaveImageError {
            SaveImageError(.incompleteSave, path: path, field: field, expected: expected,
                           found: found + "; the journal is not saveimg's or is damaged, so the image is left alone")
        }
        guard bytes.count >= Self.preludeSize, Array(bytes[0..<16]) == Self.magic else {
            throw bad("journal magic", "SaveImgJournal01", "\(bytes.count) bytes without it")
        }
        let journal = ByteReader(bytes, path: path, code: .incompleteSave)
        let length = Int(try journal.integer(at: 40, as: UInt32.self, .little, field: "journal length"))
        guard length >= SaveImageHeader.size, bytes.count == Self.preludeSize + length else {
            throw bad("journal length", "\(Self.preludeSize) + \(length) bytes", "\(bytes.count) bytes")
        }
        let checked = Array(bytes[48...])
        let crc = try journal.integer(at: 44, as: UInt32.self, .little, field: "journal checksum")
        guard Self.crc(checked) == crc else {
            throw bad("journal checksum", "CRC-32 \(crc)", "CRC-32 \(Self.crc(checked))")
        }
        let body = Array(bytes[Self.preludeSize...])
        marker = try journal.integer(at: 48, as: UInt32.self, .little, field: "journal marker")
        device = try journal.integer(at: 16, as: UInt64.self, .little, field: "journal device")
        inode = try journal.integer(at: 24, as: UInt64.self, .little, field: "journal inode")
        imageSize = try journal.integer(at: 32, as: UInt64.self, .little, field: "journal image size")
        header = Array(body[0..<SaveImageHeader.size])
        region = Array(body[SaveImageHeader.size...])
    }

    init(device: UInt64, inode: UInt64, imageSize: UInt64, marker: UInt32, header: [UInt8], region: [UInt8]) {
        self.device = device
        self.inode = inode
        self.imageSize = imageSize
        self.marker = marker
        self.header = header
        self.region = region
    }

    /// The journal of `file`'s current header and region.
    init(of file: PositionalFile, header: [UInt8], region: [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        let old = Endianness.little.integer(UInt32.self, in: header, at: Self.markerOffset) ?? 0
        var marker: UInt32 = 0
        while marker == 0 || marker == old { marker = generator.next() }
        self.init(device: file.status.device, inode: file.status.inode, imageSize: file.size, marker: marker,
                  header: header, region: region)
    }

    // MARK: - Files

    /// Creates the journal (`O_EXCL`, mode 0600), writes and fsyncs it, then
    /// fsyncs the directory so the journal is durable before the image changes.
    func create(at path: String, faults: (WriteStep) throws -> Void) throws {
        try faults(.writeJournal)
        let file: PositionalFile
        do {
            guard let created = try PositionalFile.createExclusively(path, permissions: 0o600, reportedAs: path) else {
                throw SaveImageError(.io, path: path, field: "journal", expected: "a new journal file",
                                     found: "a file already there; the image is unchanged")
            }
            file = created
        } catch var error as SaveImageError {
            error.found += "; the image is unchanged"
            throw error
        }
        do {
            try file.write(serialized(), at: 0)
            try faults(.syncJournal)
            try file.sync()
            try Self.syncDirectory(of: path)
        } catch let error as SaveImageError {
            _ = unlink(path)
            throw error
        }
    }

    /// Reads the journal at `path`, or nil if there is none.
    static func read(at path: String) throws(SaveImageError) -> EditJournal? {
        guard PositionalFile.exists(path) else { return nil }
        let limit = UInt64(preludeSize + SaveImageHeader.size) + UInt64(SaveImage.maximumDataRegionSize)
        let bytes: [UInt8]
        do { bytes = try PositionalFile.contents(of: path, limit: Int(limit)) } catch where error.code == .tooLarge {
            throw SaveImageError(.incompleteSave, path: path, field: "journal", expected: "at most \(limit) bytes",
                                 found: "\(error.found); not saveimg's journal, the image is left alone")
        }
        return try EditJournal(parsing: bytes, path: path)
    }

    /// Removes the journal (the edit is committed or rolled back).
    static func remove(at path: String) throws(SaveImageError) {
        if case .failure(let error) = Syscall.nothingOrErrno({ unlink(path) }), error != .noSuchFileOrDirectory {
            throw .systemCall("unlink", failedWith: error, path: path, field: "journal", expected: "the journal removed")
        }
    }

    static func syncDirectory(of path: String) throws(SaveImageError) {
        let (directory, _) = ReplacementFile.split(path)
        let directoryFD: FileDescriptor
        do {
            directoryFD = try FileDescriptor.open(FilePath(directory), .readOnly, options: [.directory, .closeOnExec])
        } catch {
            throw .systemCall("open", failedWith: (error as? Errno) ?? .ioError, path: directory, field: "directory",
                              expected: "an openable directory")
        }
        defer { _ = try? directoryFD.close() }
        try PositionalFile.sync(fd: directoryFD.rawValue, path: directory)
    }

    // MARK: - Recovery

    /// What ``recover(_:)`` found.
    enum Recovery: Equatable { case none, removedStale, rolledBack }

    /// Finishes an interrupted in-place rewrite of `file` (opened writable and
    /// locked): with the image marked `LibvirtQemudPart` and a journal that
    /// matches it, writes the old region back, fsyncs, writes the old header
    /// (`LibvirtQemudSave`), fsyncs and removes the journal. A journal beside
    /// an image with the `LibvirtQemudSave` magic is stale (the edit had not
    /// started changing the image, or had committed) and is removed.
    ///
    /// Rerunnable: a crash during recovery leaves the Part magic and the journal.
    static func recover(_ file: PositionalFile) throws(SaveImageError) -> Recovery {
        let journalPath = path(for: file.path)
        guard PositionalFile.exists(journalPath) else { return .none }
        let current = try file.read(at: 0, count: SaveImageHeader.size)
        let part = Array("LibvirtQemudPart".utf8)
        guard current.count == SaveImageHeader.size, Array(current[0..<16]) == part else {
            // Not torn by saveimg: the header is whole and committed (or not a save image at all).
            guard file.isWritable else { return .none }
            try remove(at: journalPath)
            return .removedStale
        }
        guard let journal = try read(at: journalPath) else { return .none }
        func refuse(_ found: String) -> SaveImageError {
            SaveImageError(.incompleteSave, path: file.path, offset: 0, field: "magic",
                           expected: "an image saveimg's journal \(journalPath) belongs to",
                           found: found + "; the image is left alone",
                           libvirtMessage: "save image is incomplete")
        }
        guard journal.device == file.status.device, journal.inode == file.status.inode,
              journal.imageSize == file.size
        else { throw refuse("the journal names another file (device, inode or size differ)") }
        guard Array(journal.header[0..<16]) == Array("LibvirtQemudSave".utf8), journal.markedHeader == current
        else { throw refuse("the header is not the one saveimg marks the image with (magic and marker word at 88)") }
        guard file.isWritable else {
            throw SaveImageError(
                .incompleteSave, path: file.path, offset: 0, field: "magic", expected: "LibvirtQemudSave",
                found: "LibvirtQemudPart left by an interrupted saveimg edit (journal \(journalPath)); "
                    + "open it writable (any saveimg command, as a user who may write it) to roll it back",
                libvirtMessage: "save image is incomplete")
        }
        try file.write(journal.region, at: UInt64(SaveImageHeader.size))
        try file.sync()
        try file.write(journal.header, at: 0)
        try file.sync()
        try remove(at: journalPath)
        return .rolledBack
    }

    /// The reader's side: `path` has the `LibvirtQemudPart` magic. If
    /// saveimg's journal is beside it, opens the image writable, takes the
    /// editor's lock (waiting up to `wait` seconds for an editor that holds
    /// it) and recovers. Returns whether the image may have changed (read it again).
    static func recoverForReader(_ path: String, wait: Double = 10) throws(SaveImageError) -> Bool {
        guard PositionalFile.exists(Self.path(for: path)) else { return false }
        var waited = 0.0
        while true {
            do throws(SaveImageError) {
                let file = try PositionalFile(openingForEditing: path, writable: true)
                _ = try recover(file)
                return true
            } catch where error.code == .busy && waited < wait {
                usleep(10_000)
                waited += 0.01
            } catch where error.code == .io {
                // Cannot open it for writing (permissions, read-only file system).
                throw SaveImageError(
                    .incompleteSave, path: path, offset: 0, field: "magic", expected: "LibvirtQemudSave",
                    found: "LibvirtQemudPart left by an interrupted saveimg edit (journal \(Self.path(for: path))), "
                        + "which this process cannot roll back (\(error.found))",
                    libvirtMessage: "save image is incomplete")
            } catch {
                throw error
            }
        }
    }

    // MARK: - Encoding

    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }
}
