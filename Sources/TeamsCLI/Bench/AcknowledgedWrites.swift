import RPCCore
import TeamsClient

/// The writes a server acknowledged during a run, to read back afterwards
/// (`teams bench --check-writes`): an acknowledged write that is missing was lost.
struct AcknowledgedWrites: Sendable {
    var createdTeams: [String] = []
    /// Player names by team id.
    var addedPlayers: [String: [String]] = [:]

    var count: Int { createdTeams.count + addedPlayers.values.reduce(0) { $0 + $1.count } }

    mutating func merge(_ other: AcknowledgedWrites) {
        createdTeams += other.createdTeams
        addedPlayers.merge(other.addedPlayers) { $0 + $1 }
    }

    /// Reads every team written to once; a team that is gone or lacks a player counts each write missing.
    func countMissing(_ client: TeamsClient, progress: Progress) async throws(RPCError) -> Int {
        progress.say("reading back \(count) acknowledged writes")
        var missing = 0
        let created = Set(createdTeams)
        for id in created.union(addedPlayers.keys) {
            let expectedPlayers = addedPlayers[id] ?? []
            let wasCreated = created.contains(id) ? 1 : 0
            do {
                let team = try await client.getTeam(id: id)
                let names = Set(team.players.map(\.name))
                missing += expectedPlayers.filter { !names.contains($0) }.count
            } catch where error.code == .notFound {
                missing += wasCreated + expectedPlayers.count
            }
        }
        return missing
    }
}
