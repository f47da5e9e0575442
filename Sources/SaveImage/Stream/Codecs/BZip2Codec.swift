import CBZip2

/// Compresses to bzip2 with libbz2 (single-threaded, like `bzip2 -c`).
final class BZip2Encoder: StreamTransform {
    private let coder = BZip2Coder(name: "bzip2")

    public init(level: Int) throws(SaveImageError) {
        let status = BZ2_bzCompressInit(coder.stream, Int32(min(9, max(1, level))), 0, 0)
        guard status == BZ_OK else {
            throw .codec("bzip2", consumed: 0, expected: "libbz2 to initialise", found: "status \(status)")
        }
        coder.compressing = true
    }

    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        var offset = 0
        while offset < input.count {
            let chunk = min(input.count - offset, Int(Int32.max))
            coder.setInput(UnsafeRawBufferPointer(rebasing: input[offset..<(offset + chunk)]))
            while coder.stream.pointee.avail_in > 0 {
                coder.resetOutput()
                let status = BZ2_bzCompress(coder.stream, BZ_RUN)
                guard status == BZ_RUN_OK else {
                    throw .codec("bzip2", consumed: 0, expected: "compression to succeed", found: "status \(status)")
                }
                try coder.emit(output)
            }
            offset += chunk
        }
    }

    public func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        coder.setInput(UnsafeRawBufferPointer(start: nil, count: 0))
        while true {
            coder.resetOutput()
            let status = BZ2_bzCompress(coder.stream, BZ_FINISH)
            guard status == BZ_FINISH_OK || status == BZ_STREAM_END else {
                throw .codec("bzip2", consumed: 0, expected: "compression to succeed", found: "status \(status)")
            }
            try coder.emit(output)
            if status == BZ_STREAM_END { break }
        }
    }
}

/// Decompresses bzip2 with libbz2, reading concatenated streams as `bzip2 -dc` does.
final class BZip2Decoder: StreamTransform {
    private let coder = BZip2Coder(name: "bzip2")
    private var consumed: UInt64 = 0
    private var inStream = false
    private var sawStream = false
    /// Bytes after the last bzip2 stream that were ignored.
    public private(set) var trailingBytes: UInt64 = 0

    public init() throws(SaveImageError) {}

    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        var offset = 0
        while offset < input.count {
            if trailingBytes > 0 || (!inStream && sawStream && input[offset] != UInt8(ascii: "B")) {
                trailingBytes += UInt64(input.count - offset)
                return
            }
            if !inStream {
                if sawStream { BZ2_bzDecompressEnd(coder.stream); coder.stream.initialize(to: bz_stream()) }
                let status = BZ2_bzDecompressInit(coder.stream, 0, 0)
                guard status == BZ_OK else {
                    throw .codec("bzip2", consumed: consumed, expected: "libbz2 to initialise", found: "status \(status)")
                }
                coder.decompressing = true
                inStream = true
                sawStream = true
            }
            let chunk = min(input.count - offset, Int(Int32.max))
            coder.setInput(UnsafeRawBufferPointer(rebasing: input[offset..<(offset + chunk)]))
            var status = BZ_OK
            repeat {
                coder.resetOutput()
                status = BZ2_bzDecompress(coder.stream)
                guard status == BZ_OK || status == BZ_STREAM_END else {
                    let used = chunk - Int(coder.stream.pointee.avail_in)
                    throw .codec("bzip2", consumed: consumed + UInt64(used), found: "corrupt bzip2 data (status \(status))")
                }
                try coder.emit(output)
            } while status == BZ_OK && (coder.stream.pointee.avail_in > 0 || coder.stream.pointee.avail_out == 0)
            let used = chunk - Int(coder.stream.pointee.avail_in)
            consumed += UInt64(used)
            offset += used
            if status == BZ_STREAM_END { inStream = false }
        }
    }

    public func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        if inStream || !sawStream {
            throw .codec("bzip2", consumed: consumed, expected: "the bzip2 stream to continue",
                         found: sawStream ? "end of data inside a bzip2 stream (truncated)" : "no bzip2 data")
        }
    }
}

/// A `bz_stream` at a stable address with its output buffer.
final class BZip2Coder {
    let name: String
    let stream: UnsafeMutablePointer<bz_stream>
    let buffer = CodecBuffer(capacity: 256 * 1024)
    var compressing = false
    var decompressing = false

    init(name: String) {
        self.name = name
        stream = .allocate(capacity: 1)
        stream.initialize(to: bz_stream())
    }

    deinit {
        if compressing { BZ2_bzCompressEnd(stream) }
        if decompressing { BZ2_bzDecompressEnd(stream) }
        stream.deallocate()
    }

    func setInput(_ input: UnsafeRawBufferPointer) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: CChar.self))
        stream.pointee.avail_in = UInt32(input.count)
    }

    func resetOutput() {
        stream.pointee.next_out = buffer.base.assumingMemoryBound(to: CChar.self)
        stream.pointee.avail_out = UInt32(buffer.count)
    }

    func emit(_ output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {
        let produced = buffer.count - Int(stream.pointee.avail_out)
        if produced > 0 { try output(buffer.prefix(produced)) }
    }
}
