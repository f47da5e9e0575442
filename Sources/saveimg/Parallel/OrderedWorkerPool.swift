import Dispatch
import Synchronization

/// Runs `work` on `workers` threads over `inputs` (consumed lazily, on the
/// calling thread) and hands the results to `deliver` one at a time, in input
/// order. At most `window` results exist at once: memory stays bounded however
/// many inputs there are, and a slow item only holds back `window` others.
///
/// `deliver` is called with a lock held, never concurrently.
func forEachInOrder<Input: Sendable, Output: Sendable>(
    _ inputs: some Sequence<Input>, workers: Int, window: Int,
    work: @escaping @Sendable (Input) -> Output,
    deliver: @escaping @Sendable (Output) -> Void
) {
    let workers = max(1, workers)
    let delivery = OrderedDelivery<Output>(window: max(workers, window), deliver: deliver)
    let running = DispatchSemaphore(value: workers)
    let group = DispatchGroup()
    for (index, input) in inputs.enumerated() {
        delivery.slots.wait()
        running.wait()
        group.enter()
        DispatchQueue.global().async {
            let output = work(input)
            running.signal()
            delivery.complete(index, output)
            group.leave()
        }
    }
    group.wait()
}

/// Holds finished results until every earlier one was delivered.
private final class OrderedDelivery<Output: Sendable>: Sendable {
    private struct State: ~Copyable {
        var next = 0
        var pending: [Int: Output] = [:]
    }

    /// One slot per result not yet delivered.
    let slots: DispatchSemaphore
    private let state = Mutex(State())
    private let deliver: @Sendable (Output) -> Void

    init(window: Int, deliver: @escaping @Sendable (Output) -> Void) {
        slots = DispatchSemaphore(value: window)
        self.deliver = deliver
    }

    func complete(_ index: Int, _ output: Output) {
        state.withLock { state in
            state.pending[index] = output
            while let ready = state.pending.removeValue(forKey: state.next) {
                deliver(ready)
                state.next += 1
                slots.signal()
            }
        }
    }
}
