import Histogram
import NIOCore
import RPCCore
import TeamsDomain
import TeamsProto
import TeamsSupport

/// Drives one connection from its event loop: keeps `inFlight` calls outstanding
/// (closed loop) or sends at a fixed rate (open loop), and records each call's
/// latency. Everything runs on the loop, with callbacks instead of tasks, so the
/// generator spends as little CPU per call as it can.
final class LoadDriver {
    /// A load test rides through restarts: its calls wait for a server, up to their deadline.
    private static let call = CallOptions(waitForReady: true)
    private static let idempotentCall = CallOptions(isIdempotent: true, waitForReady: true)

    private let connection: RPCConnection
    private let workload: Workload
    private let targets: BenchTargets
    private let index: Int
    private let inFlightLimit: Int
    /// Calls per second for this connection in open-loop mode.
    private let rate: Double?
    private var random: SplitMix64

    private(set) var stats = OperationStats()
    private(set) var inFlight = 0
    private var measuring = false
    private var stopped = false
    private var remaining: Int?
    private var addedPlayers = 0
    private var openLoopTimer: Scheduled<Void>?
    private var openLoopStart: UInt64 = 0
    private var openLoopSent: UInt64 = 0
    private var ownTeams: [String]
    /// Teams this driver created during the run and has not deleted, with their slots in `squads`.
    private var created: [(team: String, slot: SquadModel.Slot)] = []
    /// The squads of this driver's own and created teams: players are added to a
    /// team with room, and removed only where they are.
    private var squads: SquadModel
    private var creates = 0

    init(connection: RPCConnection, workload: Workload, targets: BenchTargets, index: Int, inFlight: Int, rate: Double?) {
        self.connection = connection
        self.workload = workload
        self.targets = targets
        self.index = index
        self.inFlightLimit = inFlight
        self.rate = rate
        self.random = SplitMix64(seed: UInt64(index + 1) &* 0x2545_F491_4F6C_DD1D)
        // Each connection changes only its own share of the teams, so squads fill predictably.
        self.ownTeams = targets.teamIDs.enumerated().filter { $0.offset % max(1, targets.connections) == index }.map(\.element)
        if ownTeams.isEmpty { ownTeams = targets.teamIDs }
        self.squads = SquadModel(teams: ownTeams, seededPlayers: targets.playersPerTeam, limit: TeamRules.default.squadLimit)
    }

    func start() {
        if rate != nil {
            openLoopStart = NIODeadline.now().uptimeNanoseconds
            sendDueCalls()
        } else {
            for _ in 0..<inFlightLimit { issue(intendedAt: NIODeadline.now().uptimeNanoseconds) }
        }
    }

    /// Open loop: sends every call whose time has come, then sleeps until the next
    /// one is due. Latency counts from when a call should have been sent (as wrk2
    /// does), so any lateness of the generator or a stalled server shows.
    private func sendDueCalls() {
        guard let rate, !stopped else { return }
        let now = NIODeadline.now().uptimeNanoseconds
        let interval = 1e9 / rate
        while !stopped, inFlight < 100_000 {
            let intended = openLoopStart + UInt64(Double(openLoopSent) * interval)
            guard intended <= now else { break }
            issue(intendedAt: intended)
            openLoopSent += 1
        }
        let next = openLoopStart + UInt64(Double(openLoopSent) * interval)
        openLoopTimer = connection.eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(next)) { [self] in sendDueCalls() }
    }

    func beginMeasuring(calls: Int?) {
        stats = OperationStats()
        measuring = true
        remaining = calls
    }

    func stop() {
        stopped = true
        measuring = false
        openLoopTimer?.cancel()
    }

    private func issue(intendedAt intended: UInt64) {
        guard !stopped else { return }
        inFlight += 1
        let operation = workload.draw(&random)
        let done: (ClientCallEvent) -> Void = { [self] event in
            if case .end(let head, _) = event { finished(operation, head.status, intendedAt: intended) }
        }
        typealias Method = Teams_V1_TeamService.Method
        switch operation {
        case .get:
            connection.startCall(Method.getTeam, .init(id: targets.teamIDs[random.below(targets.teamIDs.count)]), options: Self.call, listener: done)
        case .create:
            create(intendedAt: intended)
        case .delete:
            // A team this connection created and nothing else uses; with none, a create makes one.
            guard let index = created.lastIndex(where: { squads.remove($0.slot) }) else { return create(intendedAt: intended) }
            connection.startCall(Method.deleteTeam, .init(id: created.remove(at: index).team), options: Self.call, listener: done)
        case .rename:
            connection.startCall(Method.renameTeam, .init(id: ownTeams[random.below(ownTeams.count)], name: targets.teamName(random.below(1_000_000))), options: Self.call, listener: done)
        case .search:
            connection.startCall(Method.searchTeams, .init(term: targets.searchTerm(&random), pageSize: BenchTargets.searchPageSize), options: Self.call, listener: done)
        case .addPlayer:
            guard let slot = squads.reserveRoom(&random) else { return removePlayer(intendedAt: intended) }
            addPlayer(to: slot, intendedAt: intended)
        case .removePlayer:
            removePlayer(intendedAt: intended)
        }
    }

    /// Creates a team, which later adds and deletes of this connection may use.
    private func create(intendedAt intended: UInt64) {
        // Keyed, so the client may retry it across a restart without creating twice.
        creates += 1
        let request = Teams_V1_CreateTeamRequest(name: targets.teamName(random.below(1_000_000)), idempotencyKey: "bench-\(targets.runID)-\(index)-\(creates)")
        connection.startCall(Teams_V1_TeamService.Method.createTeam, request, options: Self.idempotentCall) { [self] event in
            if case .end(let head, let payload) = event {
                if head.status == .ok, let response = try? Teams_V1_CreateTeamResponse(decoding: payload), let team = response.team {
                    created.append((team.id, squads.add(team: team.id)))
                }
                finished(.create, head.status, intendedAt: intended)
            }
        }
    }

    /// Adds a player (names are unique per connection, and start with `c`) to a team with room reserved.
    private func addPlayer(to slot: SquadModel.Slot, intendedAt intended: UInt64) {
        addedPlayers += 1
        let name = "c\(index)p\(addedPlayers)"
        connection.startCall(Teams_V1_TeamService.Method.addPlayer, .init(teamID: squads.team(slot), player: .init(name: name, position: .mid)), options: Self.call) { [self] event in
            if case .end(let head, _) = event {
                squads.finishAdd(slot, name: name, succeeded: head.status == .ok)
                finished(.addPlayer, head.status, intendedAt: intended)
            }
        }
    }

    /// What --check-writes reads back: the teams created and not deleted, and the players
    /// this driver added that the model still has (a player is out of it from when its
    /// removal is sent, and back if the removal fails).
    var acknowledgedWrites: AcknowledgedWrites {
        AcknowledgedWrites(createdTeams: created.map(\.team), addedPlayers: squads.players { !$0.hasPrefix("p") })
    }

    /// The position a player was added with: seeded `p<i>` take the positions in turn
    /// (as `Bench.seed` adds them), the bench's own are midfielders.
    static func position(of name: String) -> Teams_V1_Position {
        guard name.hasPrefix("p"), let number = Int(name.dropFirst()) else { return .mid }
        return [.gk, .def, .mid, .st][number % 4]
    }

    /// Removes a player the model knows is there; with every squad empty, adds one instead.
    private func removePlayer(intendedAt intended: UInt64) {
        guard let (slot, name) = squads.takePlayer(&random) else {
            guard let slot = squads.reserveRoom(&random) else { return finished(.removePlayer, .ok, intendedAt: intended) }
            return addPlayer(to: slot, intendedAt: intended)
        }
        // Seeded players were added with positions in turn; the server matches the name and the position.
        let position = Self.position(of: name)
        connection.startCall(Teams_V1_TeamService.Method.removePlayer, .init(teamID: squads.team(slot), player: .init(name: name, position: position)), options: Self.call) { [self] event in
            if case .end(let head, _) = event {
                squads.finishRemove(slot, name: name, succeeded: head.status == .ok)
                finished(.removePlayer, head.status, intendedAt: intended)
            }
        }
    }

    /// Records a call's end as the operation it was sent as (an add with no room left is sent as a removal).
    private func finished(_ operation: Workload.Operation, _ status: StatusCode, intendedAt intended: UInt64) {
        inFlight -= 1
        if measuring {
            let now = NIODeadline.now().uptimeNanoseconds
            stats.record(operation, status, microseconds: (now &- intended) / 1000)
            if let left = remaining {
                remaining = left - 1
                if left <= 1 { stop() }
            }
        }
        if rate == nil { issue(intendedAt: NIODeadline.now().uptimeNanoseconds) }
    }
}

/// The seeded data every driver draws from.
struct BenchTargets: Sendable {
    /// Ids of the teams this run seeded; empty with `--seeded`.
    let teamIDs: [String]
    /// Teams named `b0` ... `b<teamCount - 1>` on the server, whether this run seeded them or an earlier one.
    let teamCount: Int
    let playersPerTeam: Int
    let connections: Int
    /// Pads names to this many bytes when `--payload-bytes` asks for bigger payloads.
    let nameBytes: Int
    /// Request + response payload bytes of one GetTeam of a seeded team.
    var getTeamPayloadBytes = 0
    /// Makes this run's idempotency keys its own.
    let runID = UInt32.random(in: 0...UInt32.max)

    static let searchPageSize: UInt32 = 50
    /// How long the search terms are, in characters (`--search-term-length`).
    var searchTermLengths: ClosedRange<Int> = 2...6

    /// A substring of a random seeded team's name, of a length drawn from `searchTermLengths`:
    /// short terms, which match many teams, and long ones, which match few, as users type them.
    func searchTerm(_ random: inout SplitMix64) -> String {
        let name = Array(teamName(random.below(teamCount)).utf8)
        let length = min(name.count, searchTermLengths.lowerBound + random.below(searchTermLengths.count))
        let start = random.below(name.count - length + 1)
        return String(decoding: name[start..<(start + length)], as: UTF8.self)
    }

    func teamName(_ number: Int) -> String {
        let base = "b\(number)"
        guard nameBytes > base.utf8.count else { return base }
        return base + String(repeating: "x", count: min(100, nameBytes) - base.utf8.count)
    }
}
