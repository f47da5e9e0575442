import SystemPackage
import Glibc

/// A dedicated OS thread (pthread) running one closure, for long-running
/// workers that must run in parallel for the whole of an operation.
///
/// Not `DispatchQueue.global().async`: a worker loop that lives as long as
/// the conversion would hold one of the global pool's threads (the pool is
/// as wide as the CPUs) for all that time, and its end is only observable
/// through a group; a thread of its own is joined explicitly.
final class WorkerThread {
    private var thread = pthread_t()
    private var joined = false

    /// Starts the thread; throws if the system cannot create one.
    init(name: String, _ body: @escaping @Sendable () -> Void) throws(SaveImageError) {
        let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        let status = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<ThreadBody>.fromOpaque(argument).takeRetainedValue().body()
            return nil
        }, box)
        guard status == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            joined = true
            throw SaveImageError(.io, path: "", offset: nil, field: name, expected: "a new thread",
                                 found: "pthread_create failed: \(Syscall.describe(Errno(rawValue: status)))")
        }
    }

    /// Waits for the closure to return (once; later calls return at once).
    func join() {
        if joined { return }
        joined = true
        pthread_join(thread, nil)
    }

    deinit { join() }
}

private final class ThreadBody {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
