import Dispatch
import Synchronization

/// A bounded single-producer, single-consumer queue of byte chunks between
/// two threads: the decoder fills it, the walker and hasher drain it. At most
/// `capacity` chunks wait, so memory stays bounded.
final class ChunkPipe: Sendable {
    private struct State {
        var chunks: [[UInt8]] = []
        var head = 0
        var closed = false
        var failure: SaveImageError?
    }

    private let state = Mutex(State())
    private let slots: DispatchSemaphore
    private let items = DispatchSemaphore(value: 0)

    init(capacity: Int) { slots = DispatchSemaphore(value: capacity) }

    /// Adds a chunk, waiting while the pipe is full.
    func send(_ chunk: [UInt8]) {
        slots.wait()
        state.withLock { $0.chunks.append(chunk) }
        items.signal()
    }

    /// Ends the stream, with the producer's error if it failed.
    func close(failure: SaveImageError?) {
        state.withLock {
            $0.closed = true
            $0.failure = failure
        }
        items.signal()
    }

    /// The next chunk, or nil at the end (then ``failure`` says whether the producer failed).
    func receive() -> [UInt8]? {
        items.wait()
        let chunk: [UInt8]? = state.withLock { state in
            guard state.head < state.chunks.count else {
                return nil
            }
            let chunk = state.chunks[state.head]
            state.chunks[state.head] = []
            state.head += 1  // bounded: index into an in-memory ring of chunks
            if state.head > 64 {
                state.chunks.removeFirst(state.head)
                state.head = 0
            }
            return chunk
        }
        if chunk != nil { slots.signal() } else { items.signal() }  // keep "closed" observable
        return chunk
    }

    /// The producer's error, once the pipe is closed.
    var failure: SaveImageError? { state.withLock { $0.failure } }
}
