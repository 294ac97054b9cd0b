import TeamsSupport

/// What one load driver knows of the squads it changes. Each connection changes only
/// its own teams, so the model is exact: adds go to teams with room under the squad
/// limit, and removals name players that are there. A mix of adds and removals can
/// then run for hours without an error of the bench's own making.
struct SquadModel {
    private var players: [String: [String]] = [:]
    /// Adds in flight per team: room is reserved when a call is sent.
    private var pendingAdds: [String: Int] = [:]
    private var teams: [String] = []
    /// Removals in flight per team.
    private var removals: [String: Int] = [:]
    let limit: Int

    /// `teams` with `seededPlayers` players each, named `p0`, `p1`, … as the bench seeds them.
    init(teams: [String], seededPlayers: Int, limit: Int) {
        self.limit = limit
        for team in teams { add(team: team, players: (0..<seededPlayers).map { "p\($0)" }) }
    }

    mutating func add(team: String, players names: [String] = []) {
        guard players[team] == nil else { return }
        players[team] = names
        teams.append(team)
    }

    /// Takes `team` out of the model, for deleting it; false (and it stays) while an
    /// add or a removal on it is in flight.
    mutating func remove(team: String) -> Bool {
        guard pendingAdds[team, default: 0] == 0, removals[team, default: 0] == 0, players[team] != nil else { return false }
        players[team] = nil
        teams.removeAll { $0 == team }
        return true
    }

    /// A team drawn at random among those with room for one more player (the room is
    /// reserved); `nil` when every squad is full. At random, so that concurrent adds
    /// land on different teams, as independent callers' would, rather than queueing on one.
    mutating func reserveRoom(_ random: inout SplitMix64) -> String? {
        guard !teams.isEmpty else { return nil }
        let start = random.below(teams.count)
        for offset in 0..<teams.count {
            let team = teams[(start + offset) % teams.count]
            if players[team]!.count + pendingAdds[team, default: 0] < limit {
                pendingAdds[team, default: 0] += 1
                return team
            }
        }
        return nil
    }

    mutating func finishAdd(team: String, name: String, succeeded: Bool) {
        pendingAdds[team, default: 1] -= 1
        if succeeded { players[team, default: []].append(name) }
    }

    /// A random player of a random team, taken out of the model while its removal runs;
    /// `nil` when no team has one.
    mutating func takePlayer(_ random: inout SplitMix64) -> (team: String, name: String)? {
        guard !teams.isEmpty else { return nil }
        let start = random.below(teams.count)
        for offset in 0..<teams.count {
            let team = teams[(start + offset) % teams.count]
            guard let squad = players[team], !squad.isEmpty else { continue }
            let name = players[team]!.remove(at: random.below(squad.count))
            removals[team, default: 0] += 1
            return (team, name)
        }
        return nil
    }

    /// A removal that failed leaves the player where the model had it.
    mutating func finishRemove(team: String, name: String, succeeded: Bool) {
        removals[team, default: 1] -= 1
        if !succeeded { players[team, default: []].append(name) }
    }
}
