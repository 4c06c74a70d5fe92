#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A mutex: the calls of `NSLock`, on POSIX threads, so the modules need no Foundation.
public class ThreadLock: @unchecked Sendable {
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    /// Creates an unlocked mutex.
    public init() {
        mutex.initialize(to: pthread_mutex_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Takes the mutex, waiting for it.
    public func lock() { pthread_mutex_lock(mutex) }

    /// Releases the mutex.
    public func unlock() { pthread_mutex_unlock(mutex) }
}

/// A mutex with one condition variable, for producer–consumer hand-offs between threads: the
/// calls of `NSCondition`.
public final class ThreadCondition: ThreadLock, @unchecked Sendable {
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// Creates an unlocked condition.
    public override init() {
        cond.initialize(to: pthread_cond_t())
        precondition(pthread_cond_init(cond, nil) == 0, "pthread_cond_init failed")
        super.init()
    }

    deinit {
        pthread_cond_destroy(cond)
        cond.deallocate()
    }

    /// Releases the mutex until signalled, then takes it again; the caller holds the mutex and
    /// checks its predicate again on return (wake-ups can be spurious).
    public func wait() { pthread_cond_wait(cond, mutex) }

    /// Wakes one waiting thread.
    public func signal() { pthread_cond_signal(cond) }

    /// Wakes every waiting thread.
    public func broadcast() { pthread_cond_broadcast(cond) }
}

private final class ThreadWork: @unchecked Sendable {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

/// Runs `body` on a new thread whose stack is `stackSize` bytes and waits for it to finish.
/// Returns false, without running `body`, when the thread cannot be created.
public func runOnThread(stackSize: Int, _ body: @escaping () -> Void) -> Bool {
    var attributes = pthread_attr_t()
    guard pthread_attr_init(&attributes) == 0 else { return false }
    defer { pthread_attr_destroy(&attributes) }
    guard pthread_attr_setstacksize(&attributes, stackSize) == 0 else { return false }
    let work = Unmanaged.passRetained(ThreadWork(body))
    #if canImport(Darwin)
    var thread: pthread_t?
    #else
    var thread = pthread_t()
    #endif
    let created = pthread_create(&thread, &attributes, { context in
        #if canImport(Darwin)
        let work = Unmanaged<ThreadWork>.fromOpaque(context).takeRetainedValue()
        #else
        let work = Unmanaged<ThreadWork>.fromOpaque(context!).takeRetainedValue()
        #endif
        work.body()
        return nil
    }, work.toOpaque())
    guard created == 0 else {
        work.release()
        return false
    }
    #if canImport(Darwin)
    pthread_join(thread!, nil)
    #else
    pthread_join(thread, nil)
    #endif
    return true
}

/// Values a short-lived process keeps until it exits. A command that decides one call and
/// exits (the gate, before every tool call of an agent) would otherwise spend a good share of
/// its run taking apart what it loaded, object by object, just before the kernel frees all of
/// its memory at once. Only such a command turns it on: in any other process (`stepguard test`
/// playing many sessions, the tests) `keep` keeps nothing.
public enum ProcessLifetime {
    private static let lock = ThreadLock()
    nonisolated(unsafe) private static var kept: [Any] = []
    nonisolated(unsafe) private static var isShort = false

    /// Declares the process one that exits once its one call is decided: from now on `keep`
    /// keeps what it is given.
    public static func exitsAfterOneCall() {
        lock.lock()
        isShort = true
        lock.unlock()
    }

    /// Keeps `value` (a copy of it, which shares its storage) alive until the process exits,
    /// when the process was declared short-lived.
    public static func keep(_ value: Any) {
        lock.lock()
        if isShort { kept.append(value) }
        lock.unlock()
    }
}
