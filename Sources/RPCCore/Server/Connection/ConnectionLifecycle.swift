/// Where a server connection is in its life, and what each event moves it to.
///
///     open ──named a caller──▶ authenticated
///       │                          │
///       └────────┬─────────────────┘
///          drain (quiesce, GOAWAY)
///                ▼
///             draining ──transport gone──▶ closed
///
/// Any state goes to `closed` when the transport is gone. Only `open` and
/// `authenticated` start calls; a draining connection closes once its last call
/// ends (or at once, when the GOAWAY was for bad input). Naming a caller is
/// accepted while draining too (a certificate verified late) but changes nothing.
struct ConnectionLifecycle: Equatable {
    enum State: Equatable {
        /// Serving; with an authenticator, as the anonymous caller until one is named.
        case open
        /// Serving the caller named by a token or a certificate.
        case authenticated
        /// A GOAWAY is sent: no new call runs.
        case draining
        /// The transport has closed: nothing more is read or written.
        case closed
    }

    private(set) var state: State = .open

    /// Whether a request may start a call now.
    var acceptsCalls: Bool { state == .open || state == .authenticated }

    /// A caller was named; false when the state does not change (draining, closed, or named before).
    mutating func authenticated() -> Bool {
        guard state == .open else { return false }
        state = .authenticated
        return true
    }

    /// Stops starting calls; false when the connection was already draining or closed,
    /// so a second GOAWAY is not sent.
    mutating func drain() -> Bool {
        guard acceptsCalls else { return false }
        state = .draining
        return true
    }

    /// The transport has gone; false when it already had.
    mutating func close() -> Bool {
        guard state != .closed else { return false }
        state = .closed
        return true
    }
}
