/// What `saveimg verify` learns about the migration stream without reading
/// it all: the RAM block list from the stream's first bytes, and for raw and
/// sparse streams whether the file ends as a complete QEMU stream does
/// (QEMU_VM_EOF, then the VM description: `0x06`, be32 length, JSON). Both
/// read a bounded number of bytes, whatever the image's size.
enum StreamEvidence {
    /// How many bytes at the end of the file the VM description is looked for in.
    static let tailLength = 1 << 20

    /// The RAM blocks the stream declares (`ram` section, RAM_SAVE_FLAG_MEM_SIZE),
    /// as far as the stream's first decoded bytes reach (``StreamSource/prefix``,
    /// 64 KiB); nil when the prefix cannot be decoded (lzop) or holds no block list.
    static func ramBlocks(of image: SaveImage) -> [MigrationStreamSummary.RAMBlock]? {
        guard let prefix = image.stream.prefix,
              let walk = try? StreamWalk(rawStream: prefix, hashing: false)  // the prefix ends mid-stream: a failure is expected
        else { return nil }
        let blocks = walk.summary.ramBlocks
        return blocks.isEmpty ? nil : blocks
    }

    /// Whether a JSON object with a quoted key starts at `index`: QEMU 5.2 writes
    /// `{ "page_size" : 4096, ...`, 7.2 `{"page_size": 4096, ...`, 10.0 `{"configuration": ...`.
    static func startsLikeDescription(_ bytes: [UInt8], at index: Int) -> Bool {
        var next = index + 1
        while next < bytes.count, bytes[next] == UInt8(ascii: " ") { next += 1 }
        return next < bytes.count && bytes[next] == UInt8(ascii: "\"")
    }

    /// The end of a raw or sparse stream.
    enum Tail: Equatable {
        /// QEMU_VM_EOF and a complete VM description of `descriptionLength` bytes end the file.
        /// `trailingBytes` follow it (libvirt and QEMU ignore them).
        case complete(descriptionLength: UInt32, eofOffset: UInt64, trailingBytes: UInt64)
        /// No VM description at the end: the stream was cut (or trailing bytes follow it).
        case incomplete(lastBytes: String)
        /// Not checked (compressed stream, or unreadable).
        case notChecked
    }

    /// Looks for the VM description that QEMU writes last: scans back from the
    /// end of the file for `0x00 0x06 len {"...` whose JSON fits before
    /// the end; bytes after it are reported (libvirt and QEMU ignore them).
    static func tail(of image: SaveImage) -> Tail {
        // Most descriptions are a few tens of KiB: look in 64 KiB first, then in 1 MiB.
        let first = tail(of: image, window: 64 * 1024)
        if case .incomplete = first, image.stream.length > 64 * 1024 { return tail(of: image, window: tailLength) }
        return first
    }

    static func tail(of image: SaveImage, window: Int) -> Tail {
        let stream = image.stream
        guard stream.format == .raw || stream.format == .sparse, stream.length > 0 else { return .notChecked }
        let count = Int(min(UInt64(window), stream.length))
        let start = stream.offset + stream.length - UInt64(count)  // bounded: offset + length is the reader's size; count <= length
        guard let bytes = try? stream.reader.read(at: start, count: count), !bytes.isEmpty else { return .notChecked }
        // Scan back for `0x00 0x06 be32(len) {...}` whose JSON (ending in '}') fits in the window.
        var index = bytes.count - 1
        while index >= 6 {
            index -= 1
            guard bytes[index] == UInt8(ascii: "{"), bytes[index - 5] == 0x06, bytes[index - 6] == 0x00,
                  Self.startsLikeDescription(bytes, at: index)
            else { continue }
            let length = Int(ByteOrder.big.word(in: bytes, at: index - 4))
            let end = index + length
            guard length >= 2, end <= bytes.count, bytes[end - 1] == UInt8(ascii: "}") else { continue }
            return .complete(descriptionLength: UInt32(length), eofOffset: start + UInt64(index - 6),
                             trailingBytes: UInt64(bytes.count - end))
        }
        let last = bytes[max(0, bytes.count - 8)...].map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        return .incomplete(lastBytes: last.joined(separator: " "))
    }
}
