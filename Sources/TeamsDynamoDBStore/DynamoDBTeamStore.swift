import AWSDynamoDB
import Foundation
import Logging
import Synchronization
import TeamsDomain

/// The `TeamStore` on Amazon DynamoDB: stateless servers, any number of them,
/// sharing one table (the layout is in `ItemLayout`).
///
/// - Reads are `GetItem`/`Scan`/`BatchGetItem` with `ConsistentRead`, so they see
///   every write that returned before they started.
/// - Each change is one `TransactWriteItems`: the team write (conditional on
///   `attribute_not_exists(id)` for a create, on `version` for an update or
///   delete), its outbox event and the event sequence counter, all or nothing.
///   `SequencedWriter` explains why sequences stay gapless across servers.
/// - Idempotency keys are items too (`idem#KEY`), put in the create's transaction
///   with a condition, so they hold across servers; TTL on `expiresAt` deletes them.
/// - Errors are `RepositoryError`s (`ErrorMapping`): an unreachable or throttling
///   DynamoDB is `.unavailable`, a missing table `.misconfigured`.
public final class DynamoDBTeamStore: TeamStore {
    public let tableName: String
    let client: DynamoDBClient
    private let ownsClient: Bool
    let clock: WallClock
    let logger: Logger
    private let writer: SequencedWriter
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
        self.clock = clock
        self.logger = logger
        self.writer = SequencedWriter(client: client, table: tableName)
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

    /// Creates the table if it is missing (`create`), or only checks that it exists,
    /// and waits until it is `ACTIVE`. An existing table is fine.
    public func prepareTable(create: Bool) async throws(DynamoDBStoreError) {
        try await TableSetup.prepare(client: client, table: tableName, create: create, logger: logger)
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
        guard let item else { return nil }
        return try TeamItem.team(id: id, from: item)
    }

    public func create(_ team: Team, event: TeamEvent, idempotencyKey: String?) async throws(RepositoryError) -> Team {
        guard let idempotencyKey else {
            switch await writer.commit(PendingChange(writes: [putNewTeam(team)], itemIDs: [team.id.description], event: event)) {
            case .committed: return team
            case .conditionFailed: throw .alreadyExists
            case .failed(let error): throw error
            }
        }
        // A retry usually finds its record here and writes nothing; two first calls
        // racing are decided by the record's condition in the transaction.
        for _ in 0..<3 {
            if let earlier = try await idempotencyRecord(idempotencyKey) { return earlier }
            let change = PendingChange(
                writes: [putNewTeam(team), putIdempotencyRecord(idempotencyKey, team: team)],
                itemIDs: [team.id.description, ItemLayout.idempotencyID(idempotencyKey)],
                event: event)
            switch await writer.commit(change) {
            case .committed: return team
            case .conditionFailed(index: 0): throw .alreadyExists
            case .conditionFailed: continue  // another server recorded the key first
            case .failed(let error): throw error
            }
        }
        throw .unavailable("idempotency key \(idempotencyKey) is being used concurrently; retry")
    }

    public func update(_ team: Team, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        let (condition, values) = Self.versionCondition(expectedVersion)
        let write = TransactWriteItem.put(PutItemInput(
            tableName: tableName, item: TeamItem.item(team), conditionExpression: condition,
            expressionAttributeNames: Self.versionNames, expressionAttributeValues: values))
        try await commitChange(of: team.id, write, event: event)
    }

    public func delete(_ id: TeamID, expectedVersion: UInt64, event: TeamEvent) async throws(RepositoryError) {
        let (condition, values) = Self.versionCondition(expectedVersion)
        let write = TransactWriteItem.delete(DeleteItemInput(
            tableName: tableName, key: ItemLayout.key(id.description), conditionExpression: condition,
            expressionAttributeNames: Self.versionNames, expressionAttributeValues: values))
        try await commitChange(of: id, write, event: event)
    }

    // MARK: Writes

    /// Commits a version-conditioned write; a false condition is `.notFound` or
    /// `.versionConflict` with the version stored now.
    private func commitChange(of id: TeamID, _ write: TransactWriteItem, event: TeamEvent) async throws(RepositoryError) {
        switch await writer.commit(PendingChange(writes: [write], itemIDs: [id.description], event: event)) {
        case .committed:
            return
        case .conditionFailed:
            guard let stored = try await team(withID: id) else { throw .notFound }
            throw .versionConflict(actual: stored.version)
        case .failed(let error):
            throw error
        }
    }

    private func putNewTeam(_ team: Team) -> TransactWriteItem {
        .put(PutItemInput(
            tableName: tableName, item: TeamItem.item(team), conditionExpression: "attribute_not_exists(#id)",
            expressionAttributeNames: ["#id": ItemLayout.id]))
    }

    static let versionNames: ExpressionAttributeNames = ["#id": ItemLayout.id, "#v": ItemLayout.version]

    /// The team exists with `expected` as its version. Items of the Go service have
    /// no version and count as version 1.
    static func versionCondition(_ expected: UInt64) -> (String, ExpressionAttributeValues) {
        let condition = expected == 1
            ? "attribute_exists(#id) AND (#v = :expected OR attribute_not_exists(#v))"
            : "attribute_exists(#id) AND #v = :expected"
        return (condition, [":expected": .number(expected)])
    }

    // MARK: Idempotency keys

    /// The record may be written when there is none or when it is older than the
    /// window (TTL deletes expired items only eventually).
    private func putIdempotencyRecord(_ key: String, team: Team) -> TransactWriteItem {
        let now = clock.milliseconds()
        return .put(PutItemInput(
            tableName: tableName,
            item: [
                ItemLayout.id: .s(ItemLayout.idempotencyID(key)),
                ItemLayout.teamID: .s(team.id.description),
                ItemLayout.team: .m(TeamItem.attributes(team)),
                ItemLayout.createdAt: .number(now),
                ItemLayout.expiresAt: .number((now + Self.idempotencyWindowMilliseconds) / 1000 + 1),
            ],
            conditionExpression: "attribute_not_exists(#id) OR #created < :windowStart",
            expressionAttributeNames: ["#id": ItemLayout.id, "#created": ItemLayout.createdAt],
            expressionAttributeValues: [":windowStart": .number(now - Self.idempotencyWindowMilliseconds)]))
    }

    /// The team a key created within the window: as it is now, or as created when it
    /// was deleted since. `nil` for a key not seen (or seen too long ago).
    private func idempotencyRecord(_ key: String) async throws(RepositoryError) -> Team? {
        let item = try await call {
            try await self.client.getItem(GetItemInput(
                tableName: self.tableName, key: ItemLayout.key(ItemLayout.idempotencyID(key)), consistentRead: true))
        }
        guard let item, let createdAt = item[ItemLayout.createdAt]?.numberValue.flatMap(Int64.init),
            createdAt >= clock.milliseconds() - Self.idempotencyWindowMilliseconds
        else { return nil }
        guard let rawID = item[ItemLayout.teamID]?.stringValue, let id = TeamID(rawID), let created = item[ItemLayout.team]?.mapValue else {
            throw .corrupt("idempotency record \(key) has no team")
        }
        if let current = try await team(withID: id) { return current }
        return try TeamItem.team(id: id, from: created)
    }

    // MARK: Helpers

    /// Runs one client call, mapping its errors.
    func call<T: Sendable>(_ body: @Sendable () async throws -> T) async throws(RepositoryError) -> T {
        do {
            return try await body()
        } catch {
            throw ErrorMapping.repositoryError(error, table: tableName)
        }
    }
}
