/// One stage of a streaming codec: bytes in, bytes out, with memory bounded
/// by the codec (never by the stream's size).
///
/// Encoders (raw stream in, compressed out) and decoders (compressed in, raw
/// out) share this shape, so a conversion is `decoder -> encoder` with a file
/// on each side, and a deep check is `decoder -> walker`.
///
/// Buffers passed to `output` are only valid during that call. Errors are
/// ``SaveImageError`` values with an empty path; the offset, when set, is the
/// number of input bytes this stage had consumed (callers add the file offset).
public protocol StreamTransform: AnyObject {
    /// Consumes all of `input`, handing any bytes produced to `output`.
    func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError)

    /// Ends the input: flushes what is buffered to `output` and checks that
    /// the stream is complete (a decoder throws if its input stopped early).
    func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError)
}

/// The identity stage, for raw streams.
final class PassthroughTransform: StreamTransform {
    public init() {}

    public func process(
        _ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void
    ) throws(SaveImageError) {
        if !input.isEmpty { try output(input) }
    }

    public func finish(output: (UnsafeRawBufferPointer) throws(SaveImageError) -> Void) throws(SaveImageError) {}
}

extension SaveImageError {
    /// A codec error: path and file offset are filled in by the caller.
    static func codec(
        _ name: String, consumed: UInt64, expected: String = "valid data", found: String
    ) -> SaveImageError {
        SaveImageError(.badStream, path: "", offset: consumed, field: "\(name) stream", expected: expected, found: found)
    }
}
