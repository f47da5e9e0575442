/// The result of ``DeepCheck/run(image:progress:)``.
public struct DeepCheckReport: Hashable, Sendable, Codable {
    public var path: String
    /// The header's stream format (raw below version 2, as libvirt reads it).
    public var format: String
    /// Where the stream starts in the file.
    public var streamOffset: UInt64
    /// The stream's size in the file (compressed size for compressed formats).
    public var streamBytes: UInt64
    /// Bytes of raw QEMU stream decoded (all of it when there is no problem).
    public var rawStreamBytes: UInt64 = 0
    /// SHA-256 of the raw (decompressed) stream, hex.
    public var sha256 = ""
    /// The guest-state digest (``GuestStateDigest``): the same for one saved
    /// state in every format; nil when the stream is damaged or sends pages out of order.
    public var stateSha256: String?
    /// What the walk found.
    public var stream = MigrationStreamSummary()
    /// A sparse image's layout (blocks, holes, device-state offset, allocation).
    public var sparse: SparseImageSummary?
    /// Raw-stream bytes after the VM description (or after QEMU_VM_EOF).
    public var trailingBytes: UInt64 = 0
    /// Problems, first the decoder's (compressed data), then the walker's.
    public var problems: [DeepCheckProblem] = []
    /// The image's seal, if it has one.
    public var seal: SaveImageSeal?
    /// Whether the stream matches the seal (nil without a seal).
    public var sealMatches: Bool?

    /// True when the stream decodes, walks to QEMU_VM_EOF and matches its seal.
    public var isValid: Bool { problems.isEmpty && stream.reachedEOF && sealMatches != false }
}

/// A problem found in the stream, with where it is.
public struct DeepCheckProblem: Hashable, Sendable, Codable {
    public var code: String
    /// Offset in the raw (decompressed) QEMU stream, for walker problems.
    public var rawStreamOffset: UInt64?
    /// Offset in the file, when it is known (decoder problems; walker problems in raw streams).
    public var fileOffset: UInt64?
    public var field: String
    public var expected: String
    public var found: String
    public var message: String

    init(_ error: SaveImageError, rawStream: Bool, fileBase: UInt64? = nil) {
        code = error.code.rawValue
        field = error.field
        expected = error.expected
        found = error.found
        if rawStream {
            rawStreamOffset = error.offset
            fileOffset = zip(fileBase, error.offset).map { $0 + $1 }  // bounded: stream offset in the file + a raw offset inside the stream <= the file size (raw streams only)
        } else {
            fileOffset = error.offset
        }
        var text = error.path.isEmpty ? "" : "\(error.path): "
        if let offset = rawStreamOffset { text += "raw stream offset \(offset)" + (fileOffset.map { " (file offset \($0))" } ?? "") + ": " }  // bounded: string concatenation
        else if let offset = fileOffset { text += "offset \(offset): " }  // bounded: string concatenation
        message = text + "\(field): expected \(expected), found \(found)"
    }
}

private func zip(_ a: UInt64?, _ b: UInt64?) -> (UInt64, UInt64)? {
    guard let a, let b else { return nil }
    return (a, b)
}
