/// A heap buffer with a stable pointer: the chunk buffer of
/// ``PositionalFile/readChunks(from:chunkSize:_:)`` and the output buffer a
/// codec owns (C libraries want a stable pointer).
final class CodecBuffer {
    let pointer: UnsafeMutableRawBufferPointer
    var count: Int { pointer.count }
    var base: UnsafeMutableRawPointer { pointer.baseAddress.unsafelyUnwrapped }

    init(capacity: Int) {
        pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
    }

    deinit { pointer.deallocate() }

    /// The first `length` bytes, for handing to an output closure.
    func prefix(_ length: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base, count: length)
    }
}
