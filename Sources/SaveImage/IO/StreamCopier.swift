#if canImport(Glibc)
import Glibc
#endif
import CSaveImageShims

/// Copies the migration stream from the original image into a replacement
/// file at another offset, without reading it into saveimg where the kernel
/// can do it: only the data extents are copied (`SEEK_DATA`/`SEEK_HOLE`, so
/// a sparse image stays sparse), each with `FICLONERANGE` (reflink) when both
/// offsets are block-aligned, else `copy_file_range`, else `pread`/`pwrite`.
public enum StreamCopier {
    /// How the bytes were copied, for reports and benchmarks.
    public struct Report: Hashable, Sendable {
        /// Bytes in data extents (holes are not counted).
        public var dataBytes: UInt64 = 0
        /// Bytes cloned (reflink), copied in the kernel, copied through a buffer.
        public var clonedBytes: UInt64 = 0
        public var kernelCopiedBytes: UInt64 = 0
        public var bufferedBytes: UInt64 = 0
    }

    /// Copies `[sourceOffset, sourceEnd)` of `source` to `destinationOffset` of `destination`.
    /// The destination must already have its final size (so skipped holes read as zeros).
    static func copy(
        from source: PositionalFile, range sourceOffset: UInt64, to sourceEnd: UInt64,
        into destination: ReplacementFile, at destinationOffset: UInt64
    ) throws(SaveImageError) -> Report {
        var report = Report()
        var position = sourceOffset
        while position < sourceEnd {
            let dataStart = saveimg_seek_data(source.fd, Int64(position))
            if dataStart < 0 {
                if saveimg_errno() == ENXIO { break }  // only a hole remains
                // No SEEK_DATA support: treat the rest as one data extent.
                try copyExtent(source, position, sourceEnd, destination, destinationOffset, &report)
                break
            }
            let start = UInt64(dataStart)
            if start >= sourceEnd { break }
            let holeStart = saveimg_seek_hole(source.fd, Int64(start))
            let end = min(sourceEnd, holeStart < 0 ? sourceEnd : UInt64(holeStart))
            try copyExtent(source, start, end, destination, destinationOffset + (start - sourceOffset), &report)
            position = end
        }
        return report
    }

    private static func copyExtent(
        _ source: PositionalFile, _ start: UInt64, _ end: UInt64,
        _ destination: ReplacementFile, _ target: UInt64, _ report: inout Report
    ) throws(SaveImageError) {
        report.dataBytes += end - start
        var offset = start
        let blockSize: UInt64 = 4096
        if offset % blockSize == 0, target % blockSize == 0,
           saveimg_clone_range(source.fd, offset, end - offset, destination.fd, target) == 0 {
            report.clonedBytes += end - offset
            return
        }
        while offset < end {
            var input = Int64(offset)
            var output = Int64(target + (offset - start))
            let chunk = Int(min(end - offset, 1 << 30))
            let result = Syscall.valueOrErrno { saveimg_copy_file_range(source.fd, &input, destination.fd, &output, chunk, 0) }
            if case .success(let copied) = result {
                if copied == 0 { throw shrank(source, at: offset, end: end) }
                report.kernelCopiedBytes += UInt64(copied)
                offset += UInt64(copied)
                continue
            }
            try copyBuffered(source, offset, end, destination, target + (offset - start), &report)
            return
        }
    }

    private static func copyBuffered(
        _ source: PositionalFile, _ start: UInt64, _ end: UInt64,
        _ destination: ReplacementFile, _ target: UInt64, _ report: inout Report
    ) throws(SaveImageError) {
        var offset = start
        while offset < end {
            let bytes = try source.read(at: offset, count: Int(min(end - offset, 1 << 20)))
            if bytes.isEmpty { throw shrank(source, at: offset, end: end) }
            try destination.write(bytes, at: target + (offset - start))
            report.bufferedBytes += UInt64(bytes.count)
            offset += UInt64(bytes.count)
        }
    }

    /// The source ended before the range it was opened with: another process
    /// truncated it. Copying on would leave zeros where the stream was.
    static func shrank(_ source: PositionalFile, at offset: UInt64, end: UInt64) -> SaveImageError {
        SaveImageError.fileShrank(source.path, at: offset, end: end, size: source.size, while: "copied")
    }
}
