/// How a raw or sparse stream ends (``StreamSource/tail()``).
public enum StreamTail: Equatable, Sendable {
    /// QEMU_VM_EOF and a complete VM description end the stream: the
    /// description's JSON is `descriptionLength` bytes at `descriptionOffset`
    /// (reader offsets: file offsets for an image read from a file), the
    /// EOF byte at `eofOffset`, and `trailingBytes` follow it (libvirt and
    /// QEMU ignore them).
    case complete(descriptionLength: UInt32, eofOffset: UInt64, trailingBytes: UInt64)
    /// No VM description at the end: the stream was cut (or trailing bytes
    /// follow it); `lastBytes` are the stream's last bytes in hex.
    case incomplete(lastBytes: String)
    /// Not checked (a compressed stream, or unreadable).
    case notChecked

    /// Where the VM description's JSON starts: 6 bytes after QEMU_VM_EOF
    /// (`0x06` QEMU_VM_VMDESCRIPTION, be32 length).
    public var descriptionOffset: UInt64? {
        guard case .complete(_, let eof, _) = self else { return nil }
        return eof + 6  // bounded: the EOF byte's offset in a file, 6 bytes before its description
    }
}

extension StreamSource {
    /// How many bytes at the end of the stream the VM description is looked for in.
    static let tailLength = 1 << 20

    /// Looks for the VM description that QEMU writes last: QEMU_VM_EOF (`0x00`),
    /// then QEMU_VM_VMDESCRIPTION (`0x06`), a be32 length and the JSON. Scans
    /// back from the end of a raw or sparse stream for `0x00 0x06 len {"...`
    /// whose JSON fits before the end. Reads at most
    /// 64 KiB, then (when not found there) 1 MiB, whatever the stream's size.
    public func tail() -> StreamTail {
        let first = tail(window: 64 * 1024)  // bounded: constant
        if case .incomplete = first, length > 64 * 1024 { return tail(window: Self.tailLength) }  // bounded: constant
        return first
    }

    func tail(window: Int) -> StreamTail {
        guard format == .raw || format == .sparse, length > 0 else { return .notChecked }
        let count = min(UInt64(window), length)
        let start = offset + length - count  // bounded: offset + length is the reader's size; count <= length
        guard let bytes = try? reader.read(at: start, count: Int(count)), !bytes.isEmpty else { return .notChecked }  // bounded: count <= window
        guard let (eof, json) = Self.locateDescription(in: bytes) else { return .incomplete(lastBytes: Hex.bytes(bytes.suffix(8))) }
        return .complete(descriptionLength: UInt32(truncatingIfNeeded: json.count), eofOffset: start + UInt64(eof),  // bounded: eof is inside what was read
                         trailingBytes: UInt64(bytes.count - json.upperBound))  // bounded: json ends inside bytes
    }

    /// QEMU_VM_EOF (`0x00`), `0x06`, be32 length and a JSON object that fits
    /// in `bytes`, the last such in `bytes`: the index of the EOF byte and the
    /// JSON's range. Indexes stay inside `bytes` whatever they hold.
    public static func locateDescription(in bytes: [UInt8]) -> (eof: Int, json: Range<Int>)? {
        guard bytes.count > 7 else { return nil }
        // Candidates: each '{' preceded by `0x00 0x06 be32`, last first.
        for brace in stride(from: bytes.count - 1, through: 6, by: -1) where bytes[brace] == UInt8(ascii: "{") {  // bounded: bytes.count > 7
            guard bytes[brace - 5] == 0x06, bytes[brace - 6] == 0x00, startsLikeDescription(bytes, at: brace),  // bounded: brace >= 6
                  let word = Endianness.big.integer(UInt32.self, in: bytes, at: brace - 4)  // bounded: brace >= 6
            else { continue }
            let length = Int(word)  // bounded: a UInt32 fits in a 64-bit Int
            guard length >= 2, length <= bytes.count - brace, bytes[brace + length - 1] == UInt8(ascii: "}") else { continue }  // bounded: brace < bytes.count; brace + length <= bytes.count checked first
            return (brace - 6, brace..<(brace + length))  // bounded: brace >= 6; brace + length <= bytes.count
        }
        return nil
    }

    /// Whether a JSON object with a quoted key starts at `index`: QEMU 5.2 writes
    /// `{ "page_size" : 4096, ...`, 7.2 `{"page_size": 4096, ...`, 10.0 `{"configuration": ...`.
    static func startsLikeDescription(_ bytes: [UInt8], at index: Int) -> Bool {
        guard let next = bytes[index...].dropFirst().firstIndex(where: { $0 != UInt8(ascii: " ") }) else { return false }
        return bytes[next] == UInt8(ascii: "\"")
    }
}
