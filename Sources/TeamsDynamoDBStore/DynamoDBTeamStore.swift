import AWSDynamoDB
import CoreMetrics
import Foundation
import Logging
import Synchronization
import TeamsDomain

/// The `TeamStore` on Amazon DynamoDB: stateless servers, any number of them,
/// sharing one table (the layout is in `ItemLayout`).
///
/// - Reads are `GetItem`/`Query`/`BatchGetItem` with `ConsistentRead`, so a team read
///   sees every write that returned before it started.
/// - A change is one conditional `PutItem` of its team item (on `version`; a delete
///   leaves a tombstone), which also records the change. No item is shared by all
///   writes, so servers do not contend with each other: only real version conflicts fail.
///   A create with an idempotency key writes the key's record first (`idem#KEY`, put
///   with a condition so it holds across servers; TTL on `expiresAt` deletes it), then
///   the team; a retry completes a create cut off between the two.
/// - Events and the names search index (its own table) follow from the table's stream, through the
///   fleet's one sequencer (`FleetSequencer`): they appear after the stream's delay,
///   with per-team order kept and gapless sequences.
/// - Errors are `RepositoryError`s (`ErrorMapping`): an unreachable or throttling
///   DynamoDB is `.unavailable`, a missing table `.misconfigured`.
public final class DynamoDBTeamStore: TeamStore {
    public let tableName: String
    /// The names index's table (`NameIndex`), `<tableName>-names`.
    public let indexTableName: String
    let client: DynamoDBClient
    private let ownsClient: Bool
    let clock: WallClock
    let logger: Logger
    /// Sequences of events found missing and reported (`events(after:limit:)`).
    let reportedHoles = Mutex<Set<UInt64>>([])

    /// How long an idempotency key is remembered.
    public static let idempotencyWindowMilliseconds: Int64 = 24 * 60 * 60 * 1000

    /// A store on `tableName` through `client`, which the caller owns and shuts down.
    /// The table is used as it is; call `prepareTable(create:)` to create or check it.
    public convenience init(client: DynamoDBClient, tableName: String, clock: WallClock = .system, logger: Logger = Logger(label: "teams.dynamodb")) {
        self.init(client: client, ownsClient: false, tableName: tableName, clock: clock, logger: logger)
    }

    private init(client: DynamoDBClient, ownsClient: Bool, tableName: String, clock: WallClock, logger: Logger) {
        self.client = client
        self.ownsClient = ownsClient
        self.tableName = tableName
        self.indexTableName = NameIndex.tableName(for: tableName)
        self.clock = clock
        self.logger = logger
    }

    /// Opens the store for `teams-server`: configuration from the environment (the
    /// AWS SDK variables, see `DynamoDBConfiguration.fromEnvironment`), a client of its
    /// own, and the table created if missing (or, without `createTable`, checked).
    /// - Throws: `DynamoDBStoreError`, whose description is one line.
    public static func open(
        tableName: String,
        createTable: Bool = true,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        clock: WallClock = .system,
        logger: Logger = Logger(label: "teams.dynamodb"),
        requestHeaders: @escaping @Sendable () -> [(name: String, value: String)] = { [] }
    ) async throws(DynamoDBStoreError) -> DynamoDBTeamStore {
        var configuration: DynamoDBConfiguration
        do {
            configuration = try DynamoDBConfiguration.fromEnvironment(environment)
        } catch {
            throw .configuration(error)
        }
        configuration.requestHeaders = requestHeaders
        let client = DynamoDBClient(configuration: configuration, logger: logger)
        let store = DynamoDBTeamStore(client: client, ownsClient: true, tableName: tableName, clock: clock, logger: logger)
        do {
            try await store.prepareTable(create: createTable)
        } catch {
            try? await client.shutdown()
            throw error
        }
        return store
    }

    /// Creates the table with its stream and index if it is missing, or adds what an
    /// existing table lacks (`create`); without `create` only checks. Waits until it is `ACTIVE`.
    public func prepareTable(create: Bool) async throws(DynamoDBStoreError) {
        try await TableSetup.prepare(client: client, table: tableName, indexTable: indexTableName, create: create, logger: logger)
    }

    /// Closes the client's connections if the store made the client (`open`).
    public func shutdown() async {
        if ownsClient { try? await client.shutdown() }
    }

    deinit {
        // The HTTP client must be shut down before it goes; a server drops its store
        // only at exit, so this finishes in the background.
        if ownsClient {
            let client = self.client
            Task { try? await client.shutdown() }
        }
    }

    // MARK: TeamRepository

    public func team(withID id: TeamID) async throws(RepositoryError) -> Team? {
        let item = try await call {
            try await self.client.getItem(GetItemInput(tableName: self.tableName, key: ItemLayout.key(id.description), consistentRead: true))
        }
        guard let item, !TeamItem.isTombstone(item) else { return nil }
        return try TeamItem.team(id: id, from: item)
    }

    public func create(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team {
        guard let idempotencyKey else {
            let input = putNewTeam(team, event: event)
            guard try await write({ try await self.client.putItem(input) }) == .written else { throw .alreadyExists }
            return team
        }
        // The key's record is written first, then the team: a retry usually finds the
        // record and writes nothing, two first calls racing are decided by the record's
        // condition, and a create cut off between the two is completed by its retry.
        for _ in 0..<3 {
            if let earlier = try await idempotencyRecord(idempotencyKey) { return earlier }
            let record = idempotencyRecordPut(idempotencyKey, team: team, event: event)
            guard try await write({ try await self.client.putItem(record) }) == .written else { continue }  // another call recorded it first
            let input = putNewTeam(team, event: event)
            guard try await write({ try await self.client.putItem(input) }) == .written else {
                _ = try? await client.deleteItem(DeleteItemInput(tableName: tableName, key: ItemLayout.key(ItemLayout.idempotencyID(idempotencyKey))))
                throw .alreadyExists
            }
            return team
        }
        throw .unavailable("idempotency key \(idempotencyKey) is being used concurrently; retry")
    }

    public func update(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try await replace(team.id, with: TeamItem.item(team, event: event), expectedVersion: expectedVersion)
    }

    public func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        try await replace(id, with: TeamItem.tombstone(event), expectedVersion: expectedVersion)
    }

    // MARK: Writes

    /// Puts `item` over the team stored at `expectedVersion`; a false condition is
    /// `.notFound` or `.versionConflict` with the version stored now.
    private func replace(_ id: TeamID, with item: [String: AttributeValue], expectedVersion: UInt64) async throws(RepositoryError) {
        let (condition, values) = Self.versionCondition(expectedVersion)
        let input = PutItemInput(
            tableName: tableName, item: item, conditionExpression: condition,
            expressionAttributeNames: Self.versionNames, expressionAttributeValues: values)
        guard try await write({ try await self.client.putItem(input) }) != .written else { return }
        guard let stored = try await team(withID: id) else { throw .notFound }
        throw .versionConflict(actual: stored.version)
    }

    private enum WriteOutcome: Equatable {
        case written
        case conditionFailed
    }

    /// Runs a change's write, its consumed capacity counted as `change` and its outcome
    /// in `dynamodb_change_writes_total`; a false condition is returned for the caller
    /// to name.
    private func write(_ body: @Sendable () async throws -> Void) async throws(RepositoryError) -> WriteOutcome {
        let outcome: WriteOutcome
        do {
            try await ConsumedCapacityMetrics.$purpose.withValue("change") { try await body() }
            outcome = .written
        } catch DynamoDBError.conditionalCheckFailed {
            outcome = .conditionFailed
        } catch {
            throw ErrorMapping.repositoryError(error, table: tableName)
        }
        let label = switch outcome {
        case .written: "written"
        case .conditionFailed: "condition_failed"
        }
        CoreMetrics.Counter(label: "dynamodb_change_writes_total", dimensions: [("outcome", label)]).increment()
        return outcome
    }

    private func putNewTeam(_ team: Team, event: TeamEvent) -> PutItemInput {
        PutItemInput(
            tableName: tableName, item: TeamItem.item(team, event: event),
            conditionExpression: "attribute_not_exists(#id) OR attribute_exists(#deleted)",
            expressionAttributeNames: ["#id": ItemLayout.id, "#deleted": ItemLayout.deleted])
    }

    static let versionNames: ExpressionAttributeNames = ["#id": ItemLayout.id, "#v": ItemLayout.version, "#deleted": ItemLayout.deleted]

    /// The team exists, is not deleted, and has `expected` as its version. Items of the
    /// Go service have no version and count as version 1.
    static func versionCondition(_ expected: UInt64) -> (String, ExpressionAttributeValues) {
        let condition = expected == 1
            ? "attribute_exists(#id) AND attribute_not_exists(#deleted) AND (#v = :expected OR attribute_not_exists(#v))"
            : "attribute_exists(#id) AND attribute_not_exists(#deleted) AND #v = :expected"
        return (condition, [":expected": .number(expected)])
    }

    // MARK: Idempotency keys

    /// The record may be written when there is none or when it is older than the
    /// window (TTL deletes expired items only eventually).
    private func idempotencyRecordPut(_ key: String, team: Team, event: TeamEvent) -> PutItemInput {
        let now = clock.milliseconds()
        return PutItemInput(
            tableName: tableName,
            item: [
                ItemLayout.id: .s(ItemLayout.idempotencyID(key)),
                ItemLayout.teamID: .s(team.id.description),
                ItemLayout.team: .m(TeamItem.attributes(team)),
                ItemLayout.occurredAt: .number(event.occurredAt),
                ItemLayout.createdAt: .number(now),
                ItemLayout.expiresAt: .number((now + Self.idempotencyWindowMilliseconds) / 1000 + 1),
            ],
            conditionExpression: "attribute_not_exists(#id) OR #created < :windowStart",
            expressionAttributeNames: ["#id": ItemLayout.id, "#created": ItemLayout.createdAt],
            expressionAttributeValues: [":windowStart": .number(now - Self.idempotencyWindowMilliseconds)])
    }

    /// The team a key created within the window: as it is now, or as created when it
    /// was deleted since. `nil` for a key not seen (or seen too long ago). A team whose
    /// create stopped after its record (the process died, DynamoDB went away) is
    /// written now, as the first call would have: the retry completes it.
    private func idempotencyRecord(_ key: String) async throws(RepositoryError) -> Team? {
        let item = try await call {
            try await self.client.getItem(GetItemInput(
                tableName: self.tableName, key: ItemLayout.key(ItemLayout.idempotencyID(key)), consistentRead: true))
        }
        guard let item, let createdAt = item[ItemLayout.createdAt]?.numberValue.flatMap(Int64.init),
            createdAt >= clock.milliseconds() - Self.idempotencyWindowMilliseconds
        else { return nil }
        guard let rawID = item[ItemLayout.teamID]?.stringValue, let id = TeamID(rawID), let attributes = item[ItemLayout.team]?.mapValue else {
            throw .corrupt("idempotency record \(key) has no team")
        }
        let created = try TeamItem.team(id: id, from: attributes)
        let stored = try await call {
            try await self.client.getItem(GetItemInput(tableName: self.tableName, key: ItemLayout.key(id.description), consistentRead: true))
        }
        if let stored {
            return TeamItem.isTombstone(stored) ? created : try TeamItem.team(id: id, from: stored)
        }
        let occurredAt = item[ItemLayout.occurredAt]?.numberValue.flatMap(Int64.init) ?? createdAt
        let completion = putNewTeam(created, event: TeamEvent(teamID: id, version: created.version, change: .teamCreated(name: created.name), occurredAt: occurredAt))
        guard try await write({ try await self.client.putItem(completion) }) == .written else {
            return try await team(withID: id) ?? created  // the first call finished it meanwhile
        }
        return created
    }

    // MARK: Helpers


    /// Runs one client call on `table` (the team table unless said), mapping its errors.
    func call<T: Sendable>(on table: String? = nil, _ body: @Sendable () async throws -> T) async throws(RepositoryError) -> T {
        do {
            return try await body()
        } catch {
            throw ErrorMapping.repositoryError(error, table: table ?? tableName)
        }
    }
}
