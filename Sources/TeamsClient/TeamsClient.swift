import RPCCore
import RPCTransportNIO
import TeamsDomain
import TeamsProto
import TeamsWire

/// A typed, async client for `teams.v1.TeamService` and `teams.v1.Health`, in
/// the domain's terms, over any `RPCConnection`: one connection of any transport,
/// or (`connect(endpoints:)`) several servers with reconnects and safe retries.
///
/// Safe to share between tasks: concurrent calls are multiplexed on the
/// connection. Every method throws `RPCError`, whose `code` is the status the
/// server (or the client, for DEADLINE_EXCEEDED, CANCELLED and UNAVAILABLE) gave;
/// a response that does not hold a valid team is INTERNAL.
public struct TeamsClient: Sendable {
    public let connection: RPCConnection
    /// Applied to every call: its timeout and metadata.
    public var options: CallOptions
    /// Gives every CreateTeam without an idempotency key one of its own, so the
    /// client may retry it: on when the connection retries calls.
    public var fillsIdempotencyKeys = false
    private let teams: Teams_V1_TeamService.Client
    private let health: Teams_V1_Health.Client

    public init(connection: RPCConnection, options: CallOptions = CallOptions()) {
        self.connection = connection
        self.options = options
        self.teams = Teams_V1_TeamService.Client(wrapping: connection)
        self.health = Teams_V1_Health.Client(wrapping: connection)
    }

    /// Connects to `host:port` over TCP.
    public static func connect(host: String, port: Int, options: CallOptions = CallOptions(), connectTimeout: Duration = .seconds(5)) async throws(RPCError) -> TeamsClient {
        TeamsClient(connection: try await RPCConnection.connect(host: host, port: port, connectTimeout: connectTimeout), options: options)
    }

    /// Balances calls over `endpoints`, reconnecting and retrying as `configuration`
    /// says (its `authToken` names the caller); over TLS with `tls`. CreateTeam calls
    /// get an idempotency key when retries are on.
    public static func connect(
        endpoints: [Endpoint], configuration: ClientConfiguration = ClientConfiguration(), tls: ClientTLS? = nil, options: CallOptions = CallOptions()
    ) async throws(RPCError) -> TeamsClient {
        var client = TeamsClient(connection: try await RPCConnection.connect(endpoints: endpoints, configuration: configuration, tls: tls), options: options)
        client.fillsIdempotencyKeys = configuration.maximumAttempts > 1
        return client
    }

    public func close() async {
        await connection.close()
    }

    // MARK: TeamService

    /// With the same non-empty `idempotencyKey` within 24 hours, returns the first call's team.
    /// A call with a key is safe to retry, so the connection may retry it.
    public func createTeam(name: String, idempotencyKey: String = "") async throws(RPCError) -> Team {
        let key = idempotencyKey.isEmpty && fillsIdempotencyKeys ? Self.newIdempotencyKey() : idempotencyKey
        var options = self.options
        if !key.isEmpty { options.isIdempotent = true }
        return try team(try await teams.createTeam(.init(name: name, idempotencyKey: key), options: options).team)
    }

    /// 128 random bits in hex: unique enough that two creates never share one by chance.
    static func newIdempotencyKey() -> String {
        var generator = SystemRandomNumberGenerator()
        let bits = [generator.next(), generator.next()] as [UInt64]
        return bits.map { String($0, radix: 16).leftPadded(to: 16) }.joined()
    }

    public func getTeam(id: String) async throws(RPCError) -> Team {
        try team(try await teams.getTeam(.init(id: id), options: options).team)
    }

    /// `expectedVersion` 0 renames whatever the current version is.
    public func renameTeam(id: String, to name: String, expectedVersion: UInt64 = 0) async throws(RPCError) -> Team {
        try team(try await teams.renameTeam(.init(id: id, name: name, expectedVersion: expectedVersion), options: options).team)
    }

    public func deleteTeam(id: String, expectedVersion: UInt64 = 0) async throws(RPCError) {
        _ = try await teams.deleteTeam(.init(id: id, expectedVersion: expectedVersion), options: options)
    }

    /// A `nil` position is sent as unspecified, which the server rejects; it exists to test that.
    public func addPlayer(teamID: String, name: String, position: Position?, expectedVersion: UInt64 = 0) async throws(RPCError) -> Team {
        let request = Teams_V1_AddPlayerRequest(teamID: teamID, player: player(name, position), expectedVersion: expectedVersion)
        return try team(try await teams.addPlayer(request, options: options).team)
    }

    public func removePlayer(teamID: String, name: String, position: Position?, expectedVersion: UInt64 = 0) async throws(RPCError) -> Team {
        let request = Teams_V1_RemovePlayerRequest(teamID: teamID, player: player(name, position), expectedVersion: expectedVersion)
        return try team(try await teams.removePlayer(request, options: options).team)
    }

    /// One page; pass `nextPageToken` back for the next. It is empty on the last page.
    public func searchTeams(term: String = "", pageSize: Int = 0, pageToken: String = "") async throws(RPCError) -> (teams: [Team], nextPageToken: String) {
        let request = Teams_V1_SearchTeamsRequest(term: term, pageSize: UInt32(clamping: pageSize), pageToken: pageToken)
        let response = try await teams.searchTeams(request, options: options)
        var found: [Team] = []
        for message in response.teams { found.append(try team(message)) }
        return (found, response.nextPageToken)
    }

    /// Stored events from `sequence` (0: only new ones), then live ones, until cancelled.
    ///
    /// With `resuming`, a stream that ends with UNAVAILABLE (a server draining or
    /// lost, or none reachable yet) is opened again from the last sequence received
    /// + 1, after `resumeBackoff`: each event arrives once, in order, across
    /// reconnects. Any other error ends the stream. Without `resuming`, the first
    /// error ends it. A watch lasts as long as the caller wants unless given a
    /// `timeout`, the deadline of each stream opened (DEADLINE_EXCEEDED ends it).
    /// `onResume` hears of each interruption before the wait: the error, the
    /// sequence the stream resumes from, and the delay.
    public func watchEvents(
        from sequence: UInt64 = 0, timeout: Duration? = nil, resuming: Bool = false, resumeBackoff: Backoff = .connection,
        onResume: (@Sendable (_ error: RPCError, _ from: UInt64, _ after: Duration) -> Void)? = nil
    ) -> AsyncThrowingStream<TeamEvent, any Error> {
        var streamOptions = self.options
        streamOptions.timeout = timeout
        let options = streamOptions
        let teams = self.teams
        return AsyncThrowingStream { continuation in
            let relay = Task {
                var next = sequence
                var failures = 0
                while true {
                    do {
                        for try await message in teams.watchEvents(.init(fromSequence: next), options: options) {
                            let event: TeamEvent
                            do {
                                event = try TeamEvent(message)
                            } catch {
                                throw RPCError(.internal, "a WatchEvents message is invalid: \(error)")
                            }
                            continuation.yield(event)
                            next = event.sequence + 1
                            failures = 0
                        }
                        return continuation.finish()
                    } catch let error as RPCError where resuming && error.code == .unavailable && !Task.isCancelled {
                        let delay = resumeBackoff.delay(forAttempt: failures)
                        onResume?(error, next, delay)
                        try? await Task.sleep(for: delay)
                        failures += 1
                    } catch {
                        return continuation.finish(throwing: error)
                    }
                }
            }
            continuation.onTermination = { _ in relay.cancel() }
        }
    }

    // MARK: Health

    /// What `check()` reports of a server.
    public struct Health: Sendable, Hashable {
        public var serving: Bool
        /// The kind of store: `memory`, `sqlite` or `dynamodb`.
        public var store: String
        /// The server's build, e.g. `0.1.0 (commit 1a2b3c4d5e6f, Swift 6.3.1)`; empty from servers older than the field.
        public var version: String
    }

    /// Whether the server is serving, on which store, and its build.
    public func check() async throws(RPCError) -> Health {
        let response = try await health.check(.init(), options: options)
        return Health(serving: response.status == .serving, store: response.store, version: response.version)
    }

    /// The methods the server implements.
    public func listMethods() async throws(RPCError) -> [(name: String, serverStreaming: Bool)] {
        try await health.listMethods(.init(), options: options).methods.map { ($0.name, $0.serverStreaming) }
    }

    // MARK: Conversions

    private func team(_ message: Teams_V1_Team?) throws(RPCError) -> Team {
        do {
            return try Team(from: message)
        } catch {
            throw RPCError(.internal, "the server sent an invalid team: \(error)")
        }
    }

    private func player(_ name: String, _ position: Position?) -> Teams_V1_Player {
        Teams_V1_Player(name: name, position: position?.message ?? .unspecified)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "0", count: max(0, length - count)) + self
    }
}
