/// Why a use case failed. Each case maps to one RPC status code, in one place
/// (`TeamError+Status.swift` in TeamsService); the message is for humans.
public enum TeamError: Error, Sendable, Hashable {
    /// The request breaks a rule: an empty name, an unknown position, a malformed id.
    case invalidArgument(String)
    /// No team (or player) matches.
    case notFound(String)
    /// The thing to create exists already, e.g. a player name taken in the team.
    case alreadyExists(String)
    /// The caller's `expected_version` is not the team's current version.
    case versionMismatch(expected: UInt64, actual: UInt64)
    /// Concurrent writers kept winning; retrying later may succeed.
    case contention(String)
    /// The team's state forbids the change, e.g. a full squad.
    case failedPrecondition(String)
    /// The store is out of space or another limit was reached.
    case resourceExhausted(String)
    /// The store cannot be reached right now; retrying may succeed.
    case unavailable(String)
    /// The requested range no longer exists, e.g. pruned events.
    case outOfRange(String)
    /// A bug or a corrupt store.
    case `internal`(String)
}
