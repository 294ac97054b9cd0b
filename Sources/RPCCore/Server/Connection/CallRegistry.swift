/// The calls of one connection that suspended and have not ended: each can be
/// cancelled, timed out or drained by its call id. A call that ends before it
/// suspends is never registered, so the hot path costs no dictionary work.
struct CallRegistry {
    private var calls: [UInt32: ServerCall] = [:]
    /// Calls started and not answered; one more is refused.
    let limit: Int
    /// The id of the last call started; a GOAWAY names it, so the client knows which calls never ran.
    private(set) var lastAcceptedCallID: UInt32 = 0

    init(limit: Int) {
        self.limit = limit
    }

    var isEmpty: Bool { calls.isEmpty }
    var count: Int { calls.count }

    subscript(callID: UInt32) -> ServerCall? { calls[callID] }

    /// Why a request with `callID` may not start a call now, or nil when it may.
    func refusal(of callID: UInt32) -> RPCError? {
        if !calls.isEmpty, calls[callID] != nil { return RPCError(.invalidArgument, "call id \(callID) is already in flight") }
        if calls.count >= limit { return RPCError(.resourceExhausted, "\(calls.count) calls are in flight on this connection, the limit") }
        return nil
    }

    /// A call is starting: it is the last accepted.
    mutating func accepted(_ callID: UInt32) {
        lastAcceptedCallID = callID
    }

    /// The call suspended: it is tracked until `remove`.
    mutating func track(_ call: ServerCall) {
        call.isTracked = true
        calls[call.callID] = call
    }

    mutating func remove(_ call: ServerCall) {
        if call.isTracked { calls[call.callID] = nil }
    }

    /// The calls in flight, in no particular order.
    var all: Dictionary<UInt32, ServerCall>.Values { calls.values }

    /// Forgets every call and returns them, for the caller to abort: ending a call
    /// comes back here (`remove`), which must not happen inside this mutation.
    mutating func removeAll() -> [ServerCall] {
        defer { calls.removeAll() }
        return Array(calls.values)
    }
}
