import Synchronization

/// Open connections against a limit, shared by every event loop of a listener.
public final class ConnectionCount: Sendable {
    private let open = Atomic<Int>(0)
    /// The most connections admitted at once.
    public let limit: Int

    public init(limit: Int) { self.limit = limit }

    /// Counts a new connection; false (counting nothing) when the limit is reached.
    public func admit() -> Bool {
        if open.add(1, ordering: .relaxed).newValue <= limit { return true }
        open.subtract(1, ordering: .relaxed)
        return false
    }

    /// A connection admitted earlier has closed.
    public func release() { open.subtract(1, ordering: .relaxed) }
}
