import NIOCore
import TeamsClient
import TeamsDomain
import TeamsMemoryStore
import RPCCore
import RPCTransportNIO
import TeamsProto
import XCTest

/// Every RPC through `TeamsClient` against a real server on loopback.
final class TeamServiceEndToEndTests: XCTestCase {
    var server: TestServer!
    var client: TeamsClient!

    override func setUp() async throws {
        server = try await TestServer.start()
        client = try await server.client()
    }

    override func tearDown() async throws {
        await client.close()
        await server.stop()
    }

    func assertStatus<T>(_ code: StatusCode, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> T) async {
        do {
            _ = try await body()
            XCTFail("expected \(code)", file: file, line: line)
        } catch let error as RPCError {
            XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
            XCTAssertFalse(error.message.isEmpty, "every error carries a message", file: file, line: line)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
    }

    func testEveryTeamServiceMethod() async throws {
        let created = try await client.createTeam(name: "Ajax")
        let id = created.id.description
        XCTAssertEqual(created.version, 1)
        var team = try await client.addPlayer(teamID: id, name: "Edwin", position: .goalkeeper)
        XCTAssertEqual(team.players, [Player(name: "Edwin", position: .goalkeeper)])
        team = try await client.renameTeam(id: id, to: "AFC Ajax", expectedVersion: 2)
        XCTAssertEqual(team.name, "AFC Ajax")
        let found = try await client.searchTeams(term: "afc")
        XCTAssertEqual(found.teams, [team])
        let fetched = try await client.getTeam(id: id)
        XCTAssertEqual(fetched, team)
        team = try await client.removePlayer(teamID: id, name: "EDWIN", position: .goalkeeper)
        XCTAssertEqual(team.players, [])
        XCTAssertEqual(team.version, 4)
        try await client.deleteTeam(id: id, expectedVersion: 4)
        await assertStatus(.notFound) { try await self.client.getTeam(id: id) }
    }

    func testHealthAndMethodDiscovery() async throws {
        let health = try await client.check()
        XCTAssertTrue(health.serving)
        XCTAssertEqual(health.store, "memory")
        let methods = try await client.listMethods().map(\.name)
        XCTAssertTrue(methods.contains(Teams_V1_TeamService.Method.getTeam.path))
        XCTAssertTrue(methods.contains(Teams_V1_Health.Method.listMethods.path))
        XCTAssertTrue(methods.contains(Teams_V1_TeamService.Method.watchEvents.path))
    }

    func testSearchPaginatesOverTheWire() async throws {
        for index in 0..<12 { _ = try await client.createTeam(name: "Club \(index)") }
        var names: [String] = []
        var token = ""
        repeat {
            let page = try await client.searchTeams(term: "CLUB", pageSize: 5, pageToken: token)
            names += page.teams.map(\.name)
            token = page.nextPageToken
        } while !token.isEmpty
        XCTAssertEqual(names.count, 12)
        XCTAssertEqual(names, names.sorted { $0.lowercased() < $1.lowercased() })
    }

    func testStatusesFromTheRules() async throws {
        let id = try await client.createTeam(name: "Ajax").id.description
        _ = try await client.addPlayer(teamID: id, name: "Edwin", position: .goalkeeper)
        await assertStatus(.invalidArgument) { try await self.client.createTeam(name: "  ") }
        await assertStatus(.invalidArgument) { try await self.client.addPlayer(teamID: id, name: "X", position: nil) }
        await assertStatus(.invalidArgument) { try await self.client.getTeam(id: "not-an-id") }
        await assertStatus(.invalidArgument) { try await self.client.searchTeams(pageSize: 501) }
        await assertStatus(.notFound) { try await self.client.getTeam(id: "00000000000000000000") }
        await assertStatus(.notFound) { try await self.client.removePlayer(teamID: id, name: "Edwin", position: .striker) }
        await assertStatus(.alreadyExists) { try await self.client.addPlayer(teamID: id, name: "edwin", position: .defender) }
        await assertStatus(.aborted) { try await self.client.renameTeam(id: id, to: "B", expectedVersion: 1) }
    }

    func testFailedPreconditionWhenTheSquadIsFull() async throws {
        let small = try await TestServer.start(rules: TeamRules(squadLimit: 1))
        let client = try await small.client()
        let id = try await client.createTeam(name: "Five-a-side").id.description
        _ = try await client.addPlayer(teamID: id, name: "A", position: .striker)
        await assertStatus(.failedPrecondition) { try await client.addPlayer(teamID: id, name: "B", position: .striker) }
        await client.close()
        await small.stop()
    }

    func testStoreFailuresBecomeUnavailableResourceExhaustedAndFailedPrecondition() async throws {
        let down = try await TestServer.start(store: DownRepository())
        let client = try await down.client()
        await assertStatus(.unavailable) { try await client.getTeam(id: "00000000000000000000") }
        await assertStatus(.resourceExhausted) { try await client.createTeam(name: "A") }
        await assertStatus(.failedPrecondition) { try await client.searchTeams() }
        await client.close()
        await down.stop()
    }

    func testDeadlineExceededStopsTheWork() async throws {
        let slow = try await TestServer.start(store: SlowRepository(delay: .seconds(5)))
        let client = try await slow.client(timeout: .milliseconds(100))
        let started = ContinuousClock.now
        await assertStatus(.deadlineExceeded) { try await client.getTeam(id: "00000000000000000000") }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(3), "the deadline, not the slow store, ended the call")
        await client.close()
        await slow.stop()
    }

    func testServerAnswersDeadlineExceededItself() async throws {
        // A raw client that sets a 50 ms deadline and waits as long as it takes.
        let slow = try await TestServer.start(store: SlowRepository(delay: .seconds(5)))
        let raw = try RawConnection(port: slow.port)
        let payload = try Teams_V1_GetTeamRequest(id: "00000000000000000000").encodedBytes()
        let name = Array(Teams_V1_TeamService.Method.getTeam.path.utf8)
        var body: [UInt8] = [1, 0x03, 0, 0, 0, 5, 0, 0, UInt8(name.count)] + name + RawConnection.bytes(50) + payload
        body.insert(contentsOf: RawConnection.bytes(UInt32(body.count)), at: 0)
        raw.send(body)
        let response = try XCTUnwrap(raw.readStatus())
        XCTAssertEqual(response.callID, 5)
        XCTAssertEqual(response.status, StatusCode.deadlineExceeded.rawValue)
        await slow.stop()
    }

    func testCancellingTheCallingTaskCancelsTheCall() async throws {
        let slow = try await TestServer.start(store: SlowRepository(delay: .seconds(5)))
        let client = try await slow.client(timeout: nil)
        let call = Task { try await client.getTeam(id: "00000000000000000000") }
        try await Task.sleep(for: .milliseconds(50))
        call.cancel()
        do {
            _ = try await call.value
            XCTFail("expected CANCELLED")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .cancelled)
        }
        // The connection is still good.
        let health = try await client.check()
        XCTAssertTrue(health.serving)
        await client.close()
        await slow.stop()
    }

    func testAThousandPipelinedCallsEachGetTheirOwnResponse() async throws {
        let client = self.client!
        let teams = try await withThrowingTaskGroup(of: Team.self) { group in
            for index in 0..<50 { group.addTask { try await client.createTeam(name: "Team \(index)") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let byID = Dictionary(uniqueKeysWithValues: teams.map { ($0.id, $0) })
        try await withThrowingTaskGroup(of: (String, Team).self) { group in
            for index in 0..<1000 {
                let id = teams[index % teams.count].id.description
                group.addTask { (id, try await client.getTeam(id: id)) }
            }
            var count = 0
            for try await (asked, answer) in group {
                XCTAssertEqual(answer.id.description, asked)
                XCTAssertEqual(answer, byID[answer.id])
                count += 1
            }
            XCTAssertEqual(count, 1000)
        }
    }

    func testRequestIDIsEchoed() async throws {
        let connection = client.connection
        let head: ResponseHead = try await withCheckedThrowingContinuation { continuation in
            connection.eventLoop.execute {
                connection.startCall(Teams_V1_Health.Method.check, Teams_V1_CheckRequest(), options: CallOptions(metadata: ["request-id": "req-42", "other": "x"])) { event in
                    if case .end(let head, _) = event { continuation.resume(returning: head) }
                }
            }
        }
        XCTAssertEqual(head.status, .ok)
        XCTAssertEqual(head.metadata["request-id"], "req-42")
        XCTAssertNil(head.metadata["other"])
    }

    func testGracefulShutdownFinishesCallsInFlight() async throws {
        let slow = try await TestServer.start(store: SlowRepository(delay: .milliseconds(300)))
        let client = try await slow.client()
        let id = try await slow.interactor.createTeam(name: "Ajax").id.description
        let inFlight = Task { try await client.getTeam(id: id) }
        try await Task.sleep(for: .milliseconds(50))
        await slow.stop()
        let team = try await inFlight.value
        XCTAssertEqual(team.name, "Ajax")
        await assertStatus(.unavailable) { try await client.getTeam(id: id) }
    }
}
