import AsyncHTTPClient
import Foundation
import TeamsTestSupport
import XCTest

@testable import AWSDynamoDB

/// The client end to end against a real `moto_server` (see `MotoServer`), started once
/// for this class on a free loopback port and killed by PID when the class is done.
/// Every test uses its own table. Set AWSDYNAMODB_SKIP_MOTO=1 to skip them explicitly;
/// otherwise a missing moto fails them.
final class DynamoDBClientTests: XCTestCase {
    nonisolated(unsafe) private static var server: MotoServer?
    nonisolated(unsafe) private static var startFailure: (any Error)?

    private var client: DynamoDBClient!
    private var sleeps: SleepRecorder!
    private var credentials: CountingCredentialsProvider!

    override class func tearDown() {
        server?.stop()
        server = nil
        super.tearDown()
    }

    private static func sharedServer() throws -> MotoServer {
        if let server { return server }
        if let startFailure { throw startFailure }
        do {
            server = try MotoServer.start()
            return server!
        } catch {
            startFailure = error
            throw error
        }
    }

    override func setUp() async throws {
        if ProcessInfo.processInfo.environment["AWSDYNAMODB_SKIP_MOTO"] == "1" {
            throw XCTSkip("AWSDYNAMODB_SKIP_MOTO=1")
        }
        let server = try Self.sharedServer()
        sleeps = SleepRecorder()
        credentials = CountingCredentialsProvider()
        client = DynamoDBClient(configuration: DynamoDBConfiguration(
            region: "us-east-1",
            credentialsProvider: credentials,
            endpoint: server.endpoint,
            retryStrategy: sleeps.strategy()
        ))
    }

    override func tearDown() async throws {
        try await client?.shutdown()
        client = nil
    }

    private func makeTable(gsi: Bool = false) async throws -> String {
        let name = "t-\(UUID().uuidString.prefix(8))"
        try await client.createTable(CreateTableInput(
            tableName: name,
            hashKey: KeyAttribute("id", .string),
            globalSecondaryIndexes: gsi ? [GlobalSecondaryIndex(name: "by-team", hashKey: KeyAttribute("team", .string))] : []
        ))
        try await client.waitUntilTableActive(name, pollInterval: .milliseconds(100))
        return name
    }

    private func assertThrows(
        _ expected: DynamoDBError,
        file: StaticString = #filePath,
        line: UInt = #line,
        _ body: () async throws -> Void
    ) async {
        do {
            try await body()
            XCTFail("expected \(expected), nothing was thrown", file: file, line: line)
        } catch {
            XCTAssertEqual(error as? DynamoDBError, expected, "\(error)", file: file, line: line)
        }
    }

    // MARK: Tables

    func testCreateDescribeAndCreateAgain() async throws {
        let name = "teams-\(UUID().uuidString.prefix(8))"
        let created = try await client.createTable(CreateTableInput(
            tableName: name,
            hashKey: KeyAttribute("id", .string),
            globalSecondaryIndexes: [GlobalSecondaryIndex(name: "by-owner", hashKey: KeyAttribute("owner", .string))]
        ))
        XCTAssertEqual(created.tableName, name)

        let active = try await client.waitUntilTableActive(name, pollInterval: .milliseconds(100))
        XCTAssertEqual(active.tableStatus, .active)
        XCTAssertEqual(active.globalSecondaryIndexes.map(\.indexName), ["by-owner"])
        let described = try await client.describeTable(name)
        XCTAssertEqual(described.tableStatus, .active)
        XCTAssertNotNil(described.tableARN)

        do {
            try await client.createTable(CreateTableInput(tableName: name, hashKey: KeyAttribute("id", .string)))
            XCTFail("creating an existing table must fail")
        } catch DynamoDBError.resourceInUse(let message) {
            XCTAssertTrue(message.contains(name) || message.lowercased().contains("exist"), message)
        }
        XCTAssertEqual(sleeps.recorded, [], "ResourceInUseException is not retried")
    }

    func testMissingTableIsResourceNotFound() async throws {
        do {
            _ = try await client.describeTable("no-such-table")
            XCTFail("expected resourceNotFound")
        } catch DynamoDBError.resourceNotFound(let message) {
            XCTAssertFalse(message.isEmpty)
        }
    }

    func testUpdateTimeToLive() async throws {
        let table = try await makeTable()
        try await client.updateTimeToLive(tableName: table, attributeName: "expiresAt")
        let raw = try await client.send(operation: "DescribeTimeToLive", body: Array(#"{"TableName":"\#(table)"}"#.utf8))
        let object = try JSONSerialization.jsonObject(with: Data(raw)) as? [String: [String: String]]
        XCTAssertEqual(object?["TimeToLiveDescription"]?["TimeToLiveStatus"], "ENABLED")
        XCTAssertEqual(object?["TimeToLiveDescription"]?["AttributeName"], "expiresAt")
    }

    // MARK: Items

    func testPutIfAbsentTwiceThenConsistentGet() async throws {
        let table = try await makeTable()
        let first: [String: AttributeValue] = ["id": "team-1", "name": "Ops", "size": 3]
        let ifAbsent = "attribute_not_exists(id)"
        try await client.putItem(PutItemInput(tableName: table, item: first, conditionExpression: ifAbsent))
        await assertThrows(.conditionalCheckFailed) {
            try await client.putItem(PutItemInput(tableName: table, item: ["id": "team-1", "name": "Other"], conditionExpression: ifAbsent))
        }
        XCTAssertEqual(sleeps.recorded, [], "ConditionalCheckFailedException is not retried")

        let read = try await client.getItem(GetItemInput(tableName: table, key: ["id": "team-1"], consistentRead: true))
        XCTAssertEqual(read, first)
        let missing = try await client.getItem(GetItemInput(tableName: table, key: ["id": "nope"], consistentRead: true))
        XCTAssertNil(missing)
    }

    func testValidationErrorIsMappedAndNotRetried() async throws {
        let table = try await makeTable()
        let attemptsBefore = credentials.calls
        do {
            _ = try await client.getItem(GetItemInput(tableName: table, key: ["wrong": "x"]))
            XCTFail("expected validation")
        } catch DynamoDBError.validation(let message) {
            XCTAssertFalse(message.isEmpty)
        }
        XCTAssertEqual(credentials.calls - attemptsBefore, 1)
    }

    func testConditionalDelete() async throws {
        let table = try await makeTable()
        try await client.putItem(PutItemInput(tableName: table, item: ["id": "a", "version": 1]))
        let condition = "#v = :v"
        let names = ["#v": "version"]

        await assertThrows(.conditionalCheckFailed) {
            try await client.deleteItem(DeleteItemInput(
                tableName: table, key: ["id": "a"], conditionExpression: condition,
                expressionAttributeNames: names, expressionAttributeValues: [":v": 2]
            ))
        }
        let stillThere = try await client.getItem(GetItemInput(tableName: table, key: ["id": "a"], consistentRead: true))
        XCTAssertNotNil(stillThere)

        try await client.deleteItem(DeleteItemInput(
            tableName: table, key: ["id": "a"], conditionExpression: condition,
            expressionAttributeNames: names, expressionAttributeValues: [":v": 1]
        ))
        let gone = try await client.getItem(GetItemInput(tableName: table, key: ["id": "a"], consistentRead: true))
        XCTAssertNil(gone)

        await assertThrows(.conditionalCheckFailed) {
            try await client.deleteItem(DeleteItemInput(tableName: table, key: ["id": "a"], conditionExpression: "attribute_exists(id)"))
        }
    }

    func testUpdateItemReturnsNewValuesAndHonoursItsCondition() async throws {
        let table = try await makeTable()
        try await client.putItem(PutItemInput(tableName: table, item: ["id": "a", "count": 1]))
        let updated = try await client.updateItem(UpdateItemInput(
            tableName: table, key: ["id": "a"], updateExpression: "SET #c = #c + :one",
            conditionExpression: "attribute_exists(id)",
            expressionAttributeNames: ["#c": "count"], expressionAttributeValues: [":one": 1], returnValues: .allNew
        ))
        XCTAssertEqual(updated?["count"], .n("2"))
        await assertThrows(.conditionalCheckFailed) {
            try await client.updateItem(UpdateItemInput(
                tableName: table, key: ["id": "b"], updateExpression: "SET #c = :one",
                conditionExpression: "attribute_exists(id)",
                expressionAttributeNames: ["#c": "count"], expressionAttributeValues: [":one": 1]
            ))
        }
    }

    // MARK: Reading many

    func testScanWithFilterPagesThroughEverything() async throws {
        let table = try await makeTable()
        for index in 0..<10 {
            try await client.putItem(PutItemInput(
                tableName: table,
                item: ["id": .s("item-\(index)"), "team": .s(index.isMultiple(of: 2) ? "red" : "blue"), "n": .number(index)]
            ))
        }

        var found: [String] = []
        var pages = 0
        var scanned = 0
        var startKey: [String: AttributeValue]?
        repeat {
            let page = try await client.scan(ScanInput(
                tableName: table, filterExpression: "#t = :red",
                expressionAttributeNames: ["#t": "team"], expressionAttributeValues: [":red": "red"],
                exclusiveStartKey: startKey, limit: 3, consistentRead: true
            ))
            pages += 1
            scanned += page.scannedCount
            XCTAssertLessThanOrEqual(page.scannedCount, 3, "Limit bounds the items evaluated per page")
            XCTAssertEqual(page.count, page.items.count)
            XCTAssertTrue(page.items.allSatisfy { $0["team"] == "red" })
            found += page.items.compactMap { $0["id"]?.stringValue }
            startKey = page.lastEvaluatedKey
            XCTAssertLessThan(pages, 20, "pagination must end")
        } while startKey != nil && pages < 20

        XCTAssertEqual(Set(found), Set((0..<10).filter { $0.isMultiple(of: 2) }.map { "item-\($0)" }))
        XCTAssertEqual(found.count, 5, "no item twice")
        XCTAssertEqual(scanned, 10)
        XCTAssertGreaterThanOrEqual(pages, 4)
    }

    func testQueryOnTheKeyAndOnAnIndex() async throws {
        let table = try await makeTable(gsi: true)
        for (id, team) in [("a", "red"), ("b", "red"), ("c", "blue")] {
            try await client.putItem(PutItemInput(tableName: table, item: ["id": .s(id), "team": .s(team)]))
        }
        let byKey = try await client.query(QueryInput(
            tableName: table, keyConditionExpression: "id = :id", expressionAttributeValues: [":id": "b"], consistentRead: true
        ))
        XCTAssertEqual(byKey.items.map { $0["id"] }, [.s("b")])
        let byTeam = try await client.query(QueryInput(
            tableName: table, indexName: "by-team", keyConditionExpression: "team = :t", expressionAttributeValues: [":t": "red"]
        ))
        XCTAssertEqual(Set(byTeam.items.compactMap { $0["id"]?.stringValue }), ["a", "b"])
    }

    // MARK: Transactions

    func testTransactWriteItemsAppliesAllActions() async throws {
        let table = try await makeTable()
        try await client.putItem(PutItemInput(tableName: table, item: ["id": "keep", "n": 1]))
        try await client.putItem(PutItemInput(tableName: table, item: ["id": "drop"]))
        try await client.putItem(PutItemInput(tableName: table, item: ["id": "guard", "open": true]))

        try await client.transactWriteItems([
            .put(PutItemInput(tableName: table, item: ["id": "new"], conditionExpression: "attribute_not_exists(id)")),
            .update(UpdateItemInput(
                tableName: table, key: ["id": "keep"], updateExpression: "SET n = n + :one",
                expressionAttributeValues: [":one": 1]
            )),
            .delete(DeleteItemInput(tableName: table, key: ["id": "drop"], conditionExpression: "attribute_exists(id)")),
            .conditionCheck(.init(tableName: table, key: ["id": "guard"], conditionExpression: "#o = :yes",
                                  expressionAttributeNames: ["#o": "open"], expressionAttributeValues: [":yes": true])),
        ])

        let newItem = try await client.getItem(GetItemInput(tableName: table, key: ["id": "new"], consistentRead: true))
        XCTAssertNotNil(newItem)
        let kept = try await client.getItem(GetItemInput(tableName: table, key: ["id": "keep"], consistentRead: true))
        XCTAssertEqual(kept?["n"], .n("2"))
        let dropped = try await client.getItem(GetItemInput(tableName: table, key: ["id": "drop"], consistentRead: true))
        XCTAssertNil(dropped)
    }

    func testTransactWriteItemsConditionFailureCancelsEverything() async throws {
        let table = try await makeTable()
        try await client.putItem(PutItemInput(tableName: table, item: ["id": "taken"]))

        await assertThrows(.transactionCanceled(reasons: ["None", "ConditionalCheckFailed"])) {
            try await client.transactWriteItems([
                .put(PutItemInput(tableName: table, item: ["id": "fresh"], conditionExpression: "attribute_not_exists(id)")),
                .put(PutItemInput(tableName: table, item: ["id": "taken"], conditionExpression: "attribute_not_exists(id)")),
            ])
        }
        XCTAssertEqual(sleeps.recorded, [], "TransactionCanceledException is not retried")
        let fresh = try await client.getItem(GetItemInput(tableName: table, key: ["id": "fresh"], consistentRead: true))
        XCTAssertNil(fresh, "nothing of a canceled transaction is applied")
    }

    // MARK: Wiring

    func testConfigurationFromEnvironmentAndAnInjectedHTTPClient() async throws {
        let server = try Self.sharedServer()
        let configuration = try DynamoDBConfiguration.fromEnvironment([
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "eu-west-1",
            "AWS_ENDPOINT_URL_DYNAMODB": server.endpoint.absoluteString,
        ])
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        let shared = DynamoDBClient(configuration: configuration, httpClient: httpClient)
        await assertThrows(.resourceNotFound("Requested resource not found: Table: absent not found")) {
            _ = try await shared.describeTable("absent")
        }
        try await shared.shutdown()  // does not shut down an injected client...
        let again = DynamoDBClient(configuration: configuration, httpClient: httpClient)
        let table = "env-\(UUID().uuidString.prefix(8))"
        try await again.createTable(CreateTableInput(tableName: table, hashKey: KeyAttribute("id", .string)))
        let description = try await again.describeTable(table)
        XCTAssertEqual(description.tableName, table)  // ...so it still works
        try await httpClient.shutdown()
    }

    func testConnectionRefusedIsUnavailableAfterThreeAttempts() async throws {
        let closedPort = try LocalPorts.freePort()
        let sleeps = SleepRecorder()
        let credentials = CountingCredentialsProvider()
        let unreachable = DynamoDBClient(configuration: DynamoDBConfiguration(
            region: "us-east-1",
            credentialsProvider: credentials,
            endpoint: URL(string: "http://127.0.0.1:\(closedPort)")!,
            retryStrategy: sleeps.strategy(),
            requestTimeout: .seconds(5),
            connectTimeout: .seconds(2)
        ))
        let started = ContinuousClock.now
        do {
            _ = try await unreachable.describeTable("any")
            XCTFail("nothing listens on \(closedPort)")
        } catch DynamoDBError.unavailable(let message) {
            XCTAssertTrue(message.contains("127.0.0.1:\(closedPort)"), message)
            XCTAssertTrue(message.contains("after 3 attempts"), message)
        }
        XCTAssertEqual(credentials.calls, 3, "one signing per attempt")
        XCTAssertEqual(sleeps.recorded.count, 2)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10), "a refused connection fails fast")
        try await unreachable.shutdown()
    }
}
