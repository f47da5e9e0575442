import Dispatch
import Synchronization

/// Worker threads for the parallel gzip encoder, each with its own zlib
/// state. Blocks are queued in stream order; a worker takes the next queued
/// block as soon as it is free (so no core waits for a batch's slowest
/// block), compresses it, and signals the block's `done` semaphore.
final class DeflateWorkerPool: @unchecked Sendable {
    private let deflaters: [any BlockDeflater]
    private let blocks: [DeflateBlock]
    /// One signal per queued block, then one per worker at shutdown.
    private let queued = DispatchSemaphore(value: 0)
    /// Sequence number of the next block a worker takes.
    private let taken = Atomic<Int>(0)
    /// How many blocks were queued (a worker that takes a number beyond it stops).
    private let submitted = Atomic<Int>(0)
    private var threads: [WorkerThread] = []
    private var stopped = false

    /// Starts `deflaters.count` threads working on `blocks` (a ring: block `n`
    /// lives in `blocks[n % blocks.count]`). The threads keep the pool alive
    /// until ``stop()``, which the owner must call.
    init(deflaters: [any BlockDeflater], blocks: [DeflateBlock]) throws(SaveImageError) {
        self.deflaters = deflaters
        self.blocks = blocks
        for deflater in deflaters {
            do throws(SaveImageError) {
                threads.append(try WorkerThread(name: "gzip worker") { [self] in work(with: deflater) })
            } catch {
                stop()
                throw error
            }
        }
    }

    /// Hands block number `sequence` (filled, in stream order) to the workers.
    func submit(_ sequence: Int) {
        submitted.store(sequence + 1, ordering: .releasing)
        queued.signal()
    }

    /// Lets the workers finish what was queued, then waits for them to exit.
    func stop() {
        if stopped { return }
        stopped = true
        for _ in threads { queued.signal() }
        for thread in threads { thread.join() }
    }

    private func work(with deflater: any BlockDeflater) {
        while true {
            queued.wait()
            let sequence = taken.add(1, ordering: .acquiringAndReleasing).oldValue
            guard sequence < submitted.load(ordering: .acquiring) else { return }
            let block = blocks[sequence % blocks.count]
            deflater.compress(block)
            block.done.signal()
        }
    }
}
