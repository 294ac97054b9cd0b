import TeamsDomain
import RPCCore

extension RPCError {
    /// The one place a use-case failure becomes a status code.
    ///
    /// A stale `expected_version` is ABORTED (the caller should re-read and retry),
    /// as is losing the race too often; a full squad is FAILED_PRECONDITION.
    init(_ error: TeamError) {
        switch error {
        case .invalidArgument(let message): self.init(.invalidArgument, message)
        case .notFound(let message): self.init(.notFound, message)
        case .alreadyExists(let message): self.init(.alreadyExists, message)
        case .versionMismatch(let expected, let actual):
            self.init(.aborted, "expected version \(expected) but the team is at version \(actual)")
        case .contention(let message): self.init(.aborted, message)
        case .failedPrecondition(let message): self.init(.failedPrecondition, message)
        case .resourceExhausted(let message): self.init(.resourceExhausted, message)
        case .unavailable(let message): self.init(.unavailable, message)
        case .outOfRange(let message): self.init(.outOfRange, message)
        case .internal(let message): self.init(.internal, message)
        }
    }
}
