import Foundation
import Synchronization
import TeamsClient
import TeamsDomain
import TeamsSQLiteStore
import TeamsTestSupport
import XCTest

/// `kill -9` a real `teams-server` mid-load: every acknowledged write must survive.
final class CrashSafetyTests: XCTestCase {
    func testAcknowledgedWritesSurviveKillMinus9() async throws {
        let binary = try builtExecutable("teams-server")
        let folder = try TemporaryFolder()
        let path = folder.path("teams.sqlite")

        var server = try ServerProcess(binary: binary, store: "sqlite:\(path)")
        let acknowledged = Acknowledged()
        let client = try await TeamsClient.connect(host: "127.0.0.1", port: server.port, options: .init(timeout: .seconds(5)))

        // Eight writers create teams and add players until the server dies under them.
        let load = Task {
            await withTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        for index in 0... {
                            do {
                                let team = try await client.createTeam(name: "Writer \(writer) team \(index)")
                                acknowledged.state.withLock { $0.teams.append(team.id) }
                                let name = "Player \(index)"
                                _ = try await client.addPlayer(teamID: team.id.description, name: name, position: .striker)
                                acknowledged.state.withLock { $0.players.append((team.id, name)) }
                            } catch {
                                return  // the server is gone
                            }
                        }
                    }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(1500))
        server.kill9()
        await load.value
        await client.close()

        let (teams, players) = acknowledged.state.withLock { ($0.teams, $0.players) }
        XCTAssertGreaterThan(teams.count, 50, "the load ran before the kill")

        // Restart on the same file; the server comes up and serves what it had.
        server = try ServerProcess(binary: binary, store: "sqlite:\(path)")
        let restarted = try await TeamsClient.connect(host: "127.0.0.1", port: server.port, options: .init(timeout: .seconds(5)))
        let sample = try await restarted.getTeam(id: teams[0].description)
        XCTAssertEqual(sample.id, teams[0])
        await restarted.close()
        server.terminate()

        let store = try SQLiteTeamStore(path: path)
        let integrity = try await store.integrityCheck()
        XCTAssertEqual(integrity, "ok")
        for id in teams {
            let team = try await store.team(withID: id)
            XCTAssertNotNil(team, "acknowledged team \(id) is lost")
        }
        for (id, name) in players {
            let team = try await store.team(withID: id)
            XCTAssertTrue(team?.players.contains { $0.name == name } == true, "acknowledged player \(name) of \(id) is lost")
        }
        let events = try await store.events(after: 0, limit: 1_000_000)
        XCTAssertEqual(events.map(\.sequence), Array(1...UInt64(events.count)), "the event sequence has no gaps")
        XCTAssertGreaterThanOrEqual(events.count, teams.count + players.count)
    }
}

/// What the server acknowledged, recorded by the writers.
final class Acknowledged: Sendable {
    let state = Mutex<(teams: [TeamID], players: [(TeamID, String)])>(([], []))
}

/// An executable built next to the tests (the same build folder).
func builtExecutable(_ name: String) throws -> URL {
    let candidates = [
        Bundle.main.executableURL?.deletingLastPathComponent(),
        Bundle.main.bundleURL,
        Bundle.main.bundleURL.deletingLastPathComponent(),
    ].compactMap { $0?.appendingPathComponent(name) }
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw XCTSkip("\(name) is not built next to the tests (looked in \(candidates.map(\.path)))")
    }
    return found
}
