import Foundation
import TeamsClient
import TeamsDomain
import RPCCore
import RPCTransportNIO
import TeamsTestSupport
import XCTest

/// Two `teams-server` processes on different ports share one DynamoDB table (moto).
final class DynamoDBScaleOutTests: XCTestCase {
    func testTwoServersShareOneTableWithoutLostUpdates() async throws {
        let binary = try builtExecutable("teams-server")
        let moto = try startMotoForDynamoDBTests()
        defer { moto.stop() }
        let table = "scale-out-\(UUID().uuidString.prefix(8))"
        // At info, each server logs every event its relay publishes.
        let serverA = try ServerProcess(binary: binary, table: table, endpoint: moto.endpoint, extraArguments: ["--log-level", "info"])
        defer { serverA.terminate() }
        let serverB = try ServerProcess(binary: binary, table: table, endpoint: moto.endpoint, extraArguments: ["--log-level", "info"])
        defer { serverB.terminate() }

        let options = CallOptions(timeout: .seconds(60))
        let clientA = try await TeamsClient.connect(host: "127.0.0.1", port: serverA.port, options: options)
        let clientB = try await TeamsClient.connect(host: "127.0.0.1", port: serverB.port, options: options)
        let watcher = try await TeamsClient.connect(host: "127.0.0.1", port: serverA.port, options: CallOptions(timeout: nil))

        let id = try await clientA.createTeam(name: "Big squad").id.description
        // Watching on A from the start: it must also see what B stores (by polling the table).
        // The writes below take many seconds against moto on a busy machine, hence the long wait.
        let collecting = Task { try await WatchEventsTests.collect(102, from: watcher.watchEvents(from: 1), within: .seconds(90)) }

        // 100 concurrent AddPlayer calls, half through each server, on one team.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                let (client, server) = index % 2 == 0 ? (clientA, "A") : (clientB, "B")
                group.addTask { _ = try await client.addPlayer(teamID: id, name: "\(server) player \(index)", position: .midfielder) }
            }
            try await group.waitForAll()
        }
        let viaA = try await clientA.getTeam(id: id)
        let viaB = try await clientB.getTeam(id: id)
        XCTAssertEqual(viaA.players.count, 100, "every AddPlayer landed")
        XCTAssertEqual(Set(viaA.players.map(\.name)), Set((0..<100).map { "\($0 % 2 == 0 ? "A" : "B") player \($0)" }))
        XCTAssertEqual(viaA.version, 101)
        XCTAssertEqual(viaA, viaB, "both servers read the same team")

        // One more change through B only; the watcher on A sees it too.
        _ = try await clientB.renameTeam(id: id, to: "Bigger squad")
        let events = try await collecting.value
        XCTAssertEqual(events.map(\.sequence), Array(1...102), "one gapless sequence across both servers")
        XCTAssertEqual(events.map(\.version), Array(1...102), "events follow the team's versions")
        XCTAssertEqual(events.last?.change, .teamRenamed(name: "Bigger squad"))
        let fromB = events.filter {
            if case .playerAdded(let player) = $0.change { player.name.hasPrefix("B ") } else { false }
        }
        XCTAssertEqual(fromB.count, 50, "the watcher on A saw every change made through B")

        await clientA.close()
        await clientB.close()
        await watcher.close()

        // One relay per table (the lease): each event is published once, by one server.
        var published: [Int] = []
        for _ in 0..<100 {
            published = [serverA.log, serverB.log].flatMap(Self.publishedSequences)
            if published.count >= 102 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(published.sorted(), Array(1...102), "each event published once across the fleet")
        for server in [serverA, serverB] {
            XCTAssertEqual(Self.lines(server.log, atLevels: ["error", "critical"]), [], server.log)
        }
    }

    /// The sequences of the event lines the relay wrote (logger `teams.events`).
    static func publishedSequences(_ log: String) -> [Int] {
        log.split(separator: "\n").filter { $0.contains(" teams.events : ") }.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("sequence=") }.flatMap { Int($0.dropFirst("sequence=".count)) }
        }
    }

    /// Lines of the text log format (`TIME LEVEL LOGGER : …`) at one of `levels`.
    static func lines(_ log: String, atLevels levels: Set<String>) -> [Substring] {
        log.split(separator: "\n").filter { line in line.split(separator: " ").dropFirst().first.map { levels.contains(String($0)) } ?? false }
    }

    func testARestartOnTheExistingTableAndNoCreateTable() throws {
        let binary = try builtExecutable("teams-server")
        let moto = try startMotoForDynamoDBTests()
        defer { moto.stop() }
        let environment = ProcessInfo.processInfo.environment.merging(ServerProcess.awsEnvironment(moto.endpoint)) { _, new in new }

        // --no-create-table on a missing table: one line naming it, non-zero exit.
        let missing = try ServerProcess.run(
            binary: binary, arguments: ["--store", "dynamodb:Missing", "--port", "0", "--no-create-table"], environment: environment)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.hasPrefix("teams-server: DynamoDB table Missing does not exist"), missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
        var viaEnvironment = environment
        viaEnvironment["TEAMS_NO_CREATE_TABLE"] = "1"
        viaEnvironment["TEAMS_STORE"] = "dynamodb:Missing"
        let missingByEnvironment = try ServerProcess.run(binary: binary, arguments: ["--port", "0"], environment: viaEnvironment)
        XCTAssertTrue(missingByEnvironment.stderr.hasPrefix("teams-server: DynamoDB table Missing does not exist"), missingByEnvironment.stderr)

        // No region: one line saying how to set it.
        var noRegion = environment
        noRegion["AWS_REGION"] = nil
        noRegion["AWS_DEFAULT_REGION"] = nil
        let unconfigured = try ServerProcess.run(binary: binary, arguments: ["--store", "dynamodb:Teams", "--port", "0"], environment: noRegion)
        XCTAssertNotEqual(unconfigured.status, 0)
        XCTAssertTrue(unconfigured.stderr.contains("set AWS_REGION"), unconfigured.stderr)
        XCTAssertEqual(unconfigured.stderr.split(separator: "\n").count, 1, unconfigured.stderr)

        // The first start creates the table; a restart on it says nothing at warning level.
        let first = try ServerProcess(binary: binary, table: "Teams", endpoint: moto.endpoint)
        first.terminate()
        let second = try ServerProcess(binary: binary, table: "Teams", endpoint: moto.endpoint)
        let log = second.log
        second.terminate()
        XCTAssertEqual(log, "", "a restart on an existing table logs nothing at warning level or above")
        // With the table there, --no-create-table starts.
        let locked = try ServerProcess(binary: binary, table: "Teams", endpoint: moto.endpoint, extraArguments: ["--no-create-table"])
        locked.terminate()
    }
}
