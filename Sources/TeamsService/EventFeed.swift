import TeamsDomain
import TeamsRPC

/// Delivers stored events to `WatchEvents` callers: first those from a sequence
/// onward, then live ones as they are stored. Implemented in issue #3.
public protocol EventFeed: Sendable {
    /// Calls `deliver` with each event from `sequence` on (0: only new ones), in
    /// order and without gaps, until `deliver` throws or the task is cancelled.
    func watch(from sequence: UInt64, deliver: (TeamEvent) async throws(RPCError) -> Void) async throws(RPCError)
}
