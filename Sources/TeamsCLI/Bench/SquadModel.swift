import TeamsSupport

/// What one load driver knows of the squads it changes. Each connection changes only
/// its own teams, so the model is exact: adds go to teams with room under the squad
/// limit, and removals name players that are there. A mix of adds and removals can
/// then run for hours without an error of the bench's own making.
///
/// Every call costs about the same however full the squads are: the teams with room,
/// and those with players, are kept as sets to draw from.
struct SquadModel {
    private struct Squad {
        var players: [String]
        /// Adds in flight: room is reserved when a call is sent.
        var pendingAdds = 0
        /// Removals in flight.
        var removals = 0
    }

    /// Squads by slot; a deleted team's slot stays, out of every set.
    private var squads: [Squad] = []
    private var slots: [String: Int] = [:]
    private var teams: [String] = []
    private var withRoom = Draw()
    private var withPlayers = Draw()
    let limit: Int

    /// `teams` with `seededPlayers` players each, named `p0`, `p1`, … as the bench seeds them.
    init(teams: [String], seededPlayers: Int, limit: Int) {
        self.limit = limit
        for team in teams { add(team: team, players: (0..<seededPlayers).map { "p\($0)" }) }
    }

    mutating func add(team: String, players names: [String] = []) {
        guard slots[team] == nil else { return }
        let slot = squads.count
        squads.append(Squad(players: names))
        teams.append(team)
        slots[team] = slot
        place(slot)
    }

    /// Takes `team` out of the model, for deleting it; false (and it stays) while an
    /// add or a removal on it is in flight.
    mutating func remove(team: String) -> Bool {
        guard let slot = slots[team], squads[slot].pendingAdds == 0, squads[slot].removals == 0 else { return false }
        slots[team] = nil
        withRoom.remove(slot)
        withPlayers.remove(slot)
        squads[slot].players = []
        return true
    }

    /// A team drawn at random among those with room for one more player (the room is
    /// reserved); `nil` when every squad is full. At random, so that concurrent adds
    /// land on different teams, as independent callers' would, rather than queueing on one.
    mutating func reserveRoom(_ random: inout SplitMix64) -> String? {
        guard let slot = withRoom.draw(&random) else { return nil }
        squads[slot].pendingAdds += 1
        place(slot)
        return teams[slot]
    }

    mutating func finishAdd(team: String, name: String, succeeded: Bool) {
        guard let slot = slots[team] else { return }
        squads[slot].pendingAdds -= 1
        if succeeded { squads[slot].players.append(name) }
        place(slot)
    }

    /// A random player of a random team, taken out of the model while its removal runs;
    /// `nil` when no team has one.
    mutating func takePlayer(_ random: inout SplitMix64) -> (team: String, name: String)? {
        guard let slot = withPlayers.draw(&random) else { return nil }
        let name = squads[slot].players.remove(at: random.below(squads[slot].players.count))
        squads[slot].removals += 1
        place(slot)
        return (teams[slot], name)
    }

    /// A removal that failed leaves the player where the model had it.
    mutating func finishRemove(team: String, name: String, succeeded: Bool) {
        guard let slot = slots[team] else { return }
        squads[slot].removals -= 1
        if !succeeded { squads[slot].players.append(name) }
        place(slot)
    }

    /// Puts a live team's slot in the sets its squad now belongs to, and out of the others.
    private mutating func place(_ slot: Int) {
        let squad = squads[slot]
        withRoom.set(slot, squad.players.count + squad.pendingAdds < limit)
        withPlayers.set(slot, !squad.players.isEmpty)
    }

    /// A set of slots to draw from at random, each step in constant time.
    private struct Draw {
        private var members: [Int] = []
        /// Each member's index in `members`.
        private var positions: [Int: Int] = [:]

        mutating func set(_ slot: Int, _ isMember: Bool) {
            if isMember { insert(slot) } else { remove(slot) }
        }

        mutating func insert(_ slot: Int) {
            guard positions[slot] == nil else { return }
            positions[slot] = members.count
            members.append(slot)
        }

        mutating func remove(_ slot: Int) {
            guard let position = positions.removeValue(forKey: slot) else { return }
            let last = members.removeLast()
            if position < members.count {
                members[position] = last
                positions[last] = position
            }
        }

        func draw(_ random: inout SplitMix64) -> Int? {
            members.isEmpty ? nil : members[random.below(members.count)]
        }
    }
}
