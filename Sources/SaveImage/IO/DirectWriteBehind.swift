#if canImport(Glibc)
import Glibc
#endif
import CSaveImageShims
import Dispatch
import Synchronization
import SystemPackage

/// Sequential appends to a new file, written by a second thread straight to
/// the disk (`O_DIRECT`, as libvirt's `--bypass-cache` does) while the caller
/// goes on producing the next bytes.
///
/// Why: a conversion's output is written once and not read again soon. With
/// buffered writes the bytes are copied into the page cache on the codec's
/// thread and most of them reach the disk only in the final `fsync`, after
/// the codec has finished: decoding and writing add up. Here the codec fills
/// one of ``bufferCount`` aligned ``chunkSize`` buffers while the writer
/// thread writes the one before, so they overlap, and nothing is copied into
/// the page cache.
///
/// Only whole chunks go through `O_DIRECT` (their offsets, lengths and
/// addresses are multiples of ``alignment``); ``finish()`` writes the last
/// partial chunk through the ordinary descriptor. Durability is unchanged:
/// the caller still fsyncs the file (the device cache, the metadata) before
/// it renames it. If the file system refuses direct I/O for a chunk
/// (`EINVAL`), that chunk and all later ones are written the ordinary way.
final class DirectWriteBehind {
    /// Bytes per direct write.
    static let chunkSize = 4 << 20
    /// Buffers in flight: one being filled, the others written or waiting.
    static let bufferCount = 4
    /// Chunks between two `fdatasync`s of the writer thread. Each one makes the
    /// device write out its cache while the codec works on, so the caller's
    /// final `fsync` finds little left (measured here: 0.02 s instead of 0.16-0.19 s
    /// for 118 MB).
    static let chunksPerFlush = 8
    /// Alignment of every direct write's address, offset and length (the
    /// largest logical block size Linux file systems ask for).
    static let alignment = 4096

    /// A chunk to write: which of ``buffers``, how many bytes, where.
    private struct Job: Sendable {
        var buffer: Int
        var count: Int
        var offset: UInt64
    }

    private struct State: Sendable {
        var jobs: [Job] = []
        var free: [Int] = []
        var closed = false
        var failure: SaveImageError?
        var directRefused = false
    }

    /// What the caller and the writer thread share: the queued chunks, the
    /// free buffers, and the first error the thread met (reported at the caller's next call).
    private let state: Mutex<State>
    private let jobsReady = DispatchSemaphore(value: 0)
    private let buffersFree: DispatchSemaphore
    private let buffers: [UnsafeMutableRawPointer]
    private let direct: PositionalFile
    private let buffered: PositionalFile
    private var writer: WorkerThread?

    /// The index of the buffer being filled, if one is.
    private var current: Int?
    private var filled = 0
    /// The file offset of ``current``'s first byte.
    private var currentOffset: UInt64 = 0
    private var finished = false

    /// Opens `path` a second time with `O_DIRECT` for the writer thread; nil
    /// when the file system does not allow it (or the memory or thread
    /// cannot be had): the caller then writes the ordinary way.
    ///
    /// - Parameters:
    ///   - path: the new, still empty file `buffered` is open on.
    ///   - buffered: its ordinary read-write descriptor (the tail, and the
    ///     fallback when a direct write is refused).
    ///   - refusingDirectIO: behave as on a file system that refuses every
    ///     direct write (tests of the fallback).
    init?(path: String, buffered: PositionalFile, refusingDirectIO: Bool = false) {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(
                FilePath(path), .writeOnly,
                options: [.closeOnExec, .noFollow, FileDescriptor.OpenOptions(rawValue: saveimg_o_direct())])
        } catch {
            return nil
        }
        guard let direct = try? PositionalFile(adopting: descriptor, path: buffered.path, writable: true, lock: false),
              direct.status.device == buffered.status.device, direct.status.inode == buffered.status.inode
        else { return nil }
        var buffers: [UnsafeMutableRawPointer] = []
        for _ in 0..<Self.bufferCount {
            var pointer: UnsafeMutableRawPointer?
            guard posix_memalign(&pointer, Self.alignment, Self.chunkSize) == 0, let pointer else {
                buffers.forEach { free($0) }
                return nil
            }
            buffers.append(pointer)
        }
        self.direct = direct
        self.buffered = buffered
        self.buffers = buffers
        self.state = Mutex(State(free: Array(1..<Self.bufferCount), directRefused: refusingDirectIO))
        self.buffersFree = DispatchSemaphore(value: Self.bufferCount - 1)
        self.current = 0
        let unowned = UnownedWriter(self)
        // Every stored property is set: failing from here runs deinit, which frees the buffers.
        guard let thread = try? WorkerThread(name: "output writer", { unowned.target.drain() }) else { return nil }
        writer = thread
    }

    deinit {
        stopWriter()
        buffers.forEach { free($0) }
    }

    /// Whether some chunk had to be written the ordinary way (the file
    /// system refused `O_DIRECT` for it).
    var fellBack: Bool { state.withLock { $0.directRefused } }

    /// Appends `bytes` at the end of what was appended before.
    ///
    /// - Throws: the error of an earlier chunk's write, once it is known.
    func append(_ bytes: UnsafeRawBufferPointer) throws(SaveImageError) {
        var rest = bytes
        while !rest.isEmpty {
            let buffer = try currentBuffer()
            let take = min(rest.count, Self.chunkSize - filled)
            if let source = rest.baseAddress {
                (buffers[buffer] + filled).copyMemory(from: source, byteCount: take)
            }
            filled += take
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if filled == Self.chunkSize { try submitCurrent() }
        }
    }

    /// Waits for every chunk to be written, then writes the partial last one
    /// through the ordinary descriptor. The file holds every appended byte
    /// when it returns (not yet durable: the caller fsyncs).
    func finish() throws(SaveImageError) {
        guard !finished else { return }
        finished = true
        stopWriter()
        if let failure = state.withLock({ $0.failure }) { throw failure }
        try direct.close()
        if let current, filled > 0 {
            try buffered.write(UnsafeRawBufferPointer(start: buffers[current], count: filled), at: currentOffset)
        }
    }

    // MARK: - The caller's side

    private func currentBuffer() throws(SaveImageError) -> Int {
        if let current { return current }
        buffersFree.wait()
        let (next, failure) = state.withLock { state in (state.free.popLast(), state.failure) }
        if let failure { throw failure }
        guard let next else {  // cannot happen: the semaphore counts the free buffers
            throw SaveImageError(.io, path: buffered.path, offset: currentOffset, field: "output writer",
                                 expected: "a free buffer", found: "none")
        }
        current = next
        return next
    }

    private func submitCurrent() throws(SaveImageError) {
        guard let buffer = current else { return }
        let job = Job(buffer: buffer, count: filled, offset: currentOffset)
        let failure = state.withLock { state in
            state.jobs.append(job)
            return state.failure
        }
        jobsReady.signal()
        current = nil
        currentOffset += UInt64(filled)
        filled = 0
        if let failure { throw failure }
    }

    private func stopWriter() {
        guard let writer else { return }
        state.withLock { $0.closed = true }
        jobsReady.signal()
        writer.join()
        self.writer = nil
    }

    // MARK: - The writer thread

    private func drain() {
        var written = 0
        while true {
            jobsReady.wait()
            let next: Job?? = state.withLock { state in
                if !state.jobs.isEmpty { return .some(state.jobs.removeFirst()) }
                return state.closed ? .some(nil) : .none
            }
            guard let job = next else { continue }  // a spurious wake: nothing queued yet
            guard let job else { return }           // closed and drained
            var failure = write(job)
            written += 1
            if failure == nil, written % Self.chunksPerFlush == 0 { failure = flush(at: job.offset) }
            state.withLock { state in
                state.free.append(job.buffer)
                if state.failure == nil, let failure { state.failure = failure }
            }
            buffersFree.signal()
        }
    }

    /// Makes what was written so far durable (`fdatasync`), ahead of the final `fsync`.
    private func flush(at offset: UInt64) -> SaveImageError? {
        if case .failure(let error) = Syscall.nothingOrErrno({ fdatasync(direct.fd) }) {
            return .systemCall("fdatasync", failedWith: error, path: buffered.path, offset: offset,
                               field: "temporary file beside it", expected: "the bytes written so far made durable")
        }
        return nil
    }

    private func write(_ job: Job) -> SaveImageError? {
        let bytes = UnsafeRawBufferPointer(start: buffers[job.buffer], count: job.count)
        let (refused, failed) = state.withLock { ($0.directRefused, $0.failure != nil) }
        if failed { return nil }  // the caller is told of the earlier failure
        if !refused {
            do {
                _ = try direct.descriptor.writeAll(toAbsoluteOffset: Int64(clamping: job.offset), bytes)
                return nil
            } catch Errno.invalidArgument {
                // This file system does not take direct I/O here: this chunk
                // and the rest go through the page cache.
                state.withLock { $0.directRefused = true }
            } catch {
                return .systemCall("pwrite", failedWith: (error as? Errno) ?? .ioError, path: buffered.path,
                                   offset: job.offset, field: "temporary file beside it",
                                   expected: "\(job.count) bytes written")
            }
        }
        do throws(SaveImageError) { try buffered.write(bytes, at: job.offset) } catch { return error }
        return nil
    }
}

/// The writer thread's reference to its owner: the owner joins the thread
/// before it is freed, so the thread never outlives it.
private struct UnownedWriter: @unchecked Sendable {
    unowned(unsafe) let target: DirectWriteBehind
    init(_ target: DirectWriteBehind) { self.target = target }
}
