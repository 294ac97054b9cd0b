import TeamsSupport

/// What one load driver knows of the squads it changes. Each connection changes only
/// its own teams, so the model is exact: adds go to teams with room under the squad
/// limit, and removals name players that are there. A mix of adds and removals can
/// then run for hours without an error of the bench's own making.
///
/// Teams are named by the slot `add` gave them, so that a call costs no lookup by id,
/// and every call costs about the same however full the squads are: the teams with
/// room, and those with players, are kept as sets to draw from.
struct SquadModel {
    typealias Slot = Int

    private struct Squad {
        let team: String
        var players: [String]
        /// Adds in flight: room is reserved when a call is sent.
        var pendingAdds = 0
        /// Removals in flight.
        var removals = 0
        /// False once deleted; the slot stays, out of every set.
        var isLive = true
    }

    private var squads: [Squad] = []
    private var withRoom = Draw()
    private var withPlayers = Draw()
    let limit: Int

    /// `teams` with `seededPlayers` players each, named `p0`, `p1`, … as the bench seeds them,
    /// in slots 0, 1, … in their order.
    init(teams: [String], seededPlayers: Int, limit: Int) {
        self.limit = limit
        let seeded = (0..<seededPlayers).map { "p\($0)" }
        for team in teams { add(team: team, players: seeded) }
    }

    /// Adds `team` in a slot of its own.
    @discardableResult
    mutating func add(team: String, players names: [String] = []) -> Slot {
        let slot = squads.count
        squads.append(Squad(team: team, players: names))
        withRoom.grow(to: squads.count)
        withPlayers.grow(to: squads.count)
        place(slot)
        return slot
    }

    /// The id of the team in `slot`.
    func team(_ slot: Slot) -> String { squads[slot].team }

    /// Takes the team in `slot` out of the model, for deleting it; false (and it stays)
    /// while an add or a removal on it is in flight, or once it is out.
    mutating func remove(_ slot: Slot) -> Bool {
        guard squads[slot].isLive, squads[slot].pendingAdds == 0, squads[slot].removals == 0 else { return false }
        squads[slot].isLive = false
        squads[slot].players = []
        withRoom.remove(slot)
        withPlayers.remove(slot)
        return true
    }

    /// A team drawn at random among those with room for one more player (the room is
    /// reserved); `nil` when every squad is full. At random, so that concurrent adds
    /// land on different teams, as independent callers' would, rather than queueing on one.
    mutating func reserveRoom(_ random: inout SplitMix64) -> Slot? {
        guard let slot = withRoom.draw(&random) else { return nil }
        squads[slot].pendingAdds += 1
        place(slot)
        return slot
    }

    mutating func finishAdd(_ slot: Slot, name: String, succeeded: Bool) {
        squads[slot].pendingAdds -= 1
        if succeeded { squads[slot].players.append(name) }
        place(slot)
    }

    /// A random player of a random team, taken out of the model while its removal runs;
    /// `nil` when no team has one.
    mutating func takePlayer(_ random: inout SplitMix64) -> (slot: Slot, name: String)? {
        guard let slot = withPlayers.draw(&random) else { return nil }
        let name = squads[slot].players.remove(at: random.below(squads[slot].players.count))
        squads[slot].removals += 1
        place(slot)
        return (slot, name)
    }

    /// A removal that failed leaves the player where the model had it.
    mutating func finishRemove(_ slot: Slot, name: String, succeeded: Bool) {
        squads[slot].removals -= 1
        if !succeeded { squads[slot].players.append(name) }
        place(slot)
    }

    /// The players of each team still in the model that `isWanted` picks, by team id;
    /// a team with none is left out.
    func players(where isWanted: (String) -> Bool) -> [String: [String]] {
        var players: [String: [String]] = [:]
        for squad in squads where squad.isLive {
            let wanted = squad.players.filter(isWanted)
            if !wanted.isEmpty { players[squad.team] = wanted }
        }
        return players
    }

    /// Puts a live team's slot in the sets its squad now belongs to, and out of the others.
    private mutating func place(_ slot: Slot) {
        guard squads[slot].isLive else { return }
        let (players, pendingAdds) = (squads[slot].players.count, squads[slot].pendingAdds)
        withRoom.set(slot, players + pendingAdds < limit)
        withPlayers.set(slot, players > 0)
    }

    /// A set of slots to draw from at random, each step in constant time.
    private struct Draw {
        private var members: [Slot] = []
        /// Each slot's index in `members`, or -1 when it is not one.
        private var positions: [Int] = []

        mutating func grow(to slots: Int) {
            if positions.count < slots { positions.append(contentsOf: repeatElement(-1, count: slots - positions.count)) }
        }

        mutating func set(_ slot: Slot, _ isMember: Bool) {
            if isMember { insert(slot) } else { remove(slot) }
        }

        mutating func insert(_ slot: Slot) {
            guard positions[slot] < 0 else { return }
            positions[slot] = members.count
            members.append(slot)
        }

        mutating func remove(_ slot: Slot) {
            let position = positions[slot]
            guard position >= 0 else { return }
            positions[slot] = -1
            let last = members.removeLast()
            if position < members.count {
                members[position] = last
                positions[last] = position
            }
        }

        func draw(_ random: inout SplitMix64) -> Slot? {
            members.isEmpty ? nil : members[random.below(members.count)]
        }
    }
}
