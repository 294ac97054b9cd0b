import Foundation
import TeamsClient
import TeamsDomain
import TeamsProto
import TeamsMemoryStore
import RPCCore
import RPCTransportNIO
import TeamsSQLiteStore
import TeamsTestSupport
import MetricsTestKit
import XCTest

final class WatchEventsTests: XCTestCase {
    /// Collects `count` events from a watch, or fails after `timeout`.
    static func collect(
        _ count: Int, from stream: AsyncThrowingStream<TeamEvent, any Error>, within timeout: Duration = .seconds(10)
    ) async throws -> [TeamEvent] {
        try await withThrowingTaskGroup(of: [TeamEvent].self) { group in
            group.addTask {
                var events: [TeamEvent] = []
                for try await event in stream {
                    events.append(event)
                    if events.count == count { break }
                }
                return events
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw RPCError(.deadlineExceeded, "timed out after \(timeout) waiting for \(count) events")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    func testStoredEventsThenLiveOnes() async throws {
        let server = try await TestServer.start()
        let client = try await server.client(timeout: nil)
        let id = try await client.createTeam(name: "Ajax").id.description
        _ = try await client.addPlayer(teamID: id, name: "Edwin", position: .goalkeeper)

        let watch = client.watchEvents(from: 1)
        let collecting = Task { try await WatchEventsTests.collect(4, from: watch) }
        try await Task.sleep(for: .milliseconds(50))
        _ = try await client.renameTeam(id: id, to: "AFC Ajax")
        try await client.deleteTeam(id: id)

        let events = try await collecting.value
        XCTAssertEqual(events.map(\.sequence), [1, 2, 3, 4])
        XCTAssertEqual(events.map(\.name), ["TeamCreated", "PlayerAdded", "TeamRenamed", "TeamDeleted"])
        XCTAssertEqual(events[1].change, .playerAdded(Player(name: "Edwin", position: .goalkeeper)))
        await client.close()
        await server.stop()
    }

    func testFromZeroSkipsHistory() async throws {
        let server = try await TestServer.start()
        let client = try await server.client(timeout: nil)
        _ = try await client.createTeam(name: "Old")
        let watch = client.watchEvents(from: 0)
        let collecting = Task { try await WatchEventsTests.collect(1, from: watch) }
        try await Task.sleep(for: .milliseconds(100))
        _ = try await client.createTeam(name: "New")
        let events = try await collecting.value
        XCTAssertEqual(events.map(\.change), [.teamCreated(name: "New")])
        await client.close()
        await server.stop()
    }

    func testAReconnectingWatcherMissesNothing() async throws {
        let server = try await TestServer.start()
        let writer = try await server.client()
        var seen: [UInt64] = []
        var next: UInt64 = 1
        for round in 0..<3 {
            for index in 0..<5 { _ = try await writer.createTeam(name: "Round \(round) team \(index)") }
            let watcher = try await server.client(timeout: nil)
            let events = try await Self.collect(5, from: watcher.watchEvents(from: next))
            await watcher.close()  // the watcher goes away; teams keep being created
            seen += events.map(\.sequence)
            next = events.last!.sequence + 1
        }
        XCTAssertEqual(seen, Array(1...15))
        await writer.close()
        await server.stop()
    }

    func testPrunedEventsAreOutOfRangeNotASilentGap() async throws {
        let store = InMemoryTeamRepository()
        let server = try await TestServer.start(store: store)
        let client = try await server.client(timeout: nil)
        for name in ["A", "B", "C"] { _ = try await client.createTeam(name: name) }
        _ = try await store.prune(before: .max)
        _ = try await client.createTeam(name: "D")
        do {
            _ = try await Self.collect(1, from: client.watchEvents(from: 2))
            XCTFail("expected OUT_OF_RANGE")
        } catch let error as RPCError {
            XCTAssertEqual(error.code, .outOfRange, "\(error)")
        }
        await client.close()
        await server.stop()
    }

    func testASlowWatcherIsCutOffWithResourceExhausted() async throws {
        // Tiny output limit; a raw client that asks for the history and reads nothing
        // until the server has ended the call, so no race with the reader decides it.
        let store = InMemoryTeamRepository()
        let metrics = TestMetrics()
        let server = try await TestServer.start(store: store, maximumBufferedOutput: 64 * 1024, metrics: metrics)
        let interactor = TeamInteractor(repository: store)
        let padding = String(repeating: "x", count: 80)
        // Each event carries a name of more than 80 bytes: twice what the kernel's socket buffers may hold.
        let eventCount = max(50_000, 2 * (Self.largestSocketSendBuffer() + 64 * 1024) / 80)
        for index in 0..<eventCount { _ = try await interactor.createTeam(name: "Team \(index) \(padding)") }

        let raw = try RawConnection(port: server.port, receiveBuffer: 4096)
        let path = Teams_V1_TeamService.Method.watchEvents.path
        raw.send(RawConnection.request(callID: 1, method: path, payload: [0x08, 0x01]))  // from_sequence 1
        let cutOff = [("method", path), ("code", "\(StatusCode.resourceExhausted)")]
        let deadline = ContinuousClock.now + .seconds(60)
        while metrics.counterTotal(label: ServerMetrics.Name.calls, dimensions: cutOff) == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertEqual(metrics.counterTotal(label: ServerMetrics.Name.calls, dimensions: cutOff), 1, "the watch was not cut off within 60 s")

        // Now read everything: stream messages, then the RESPONSE that ends the call.
        var messages = 0
        var status: UInt8?
        while let frame = raw.readFrame() {
            if frame.type == 3 { messages += 1; continue }
            XCTAssertEqual(frame.type, 2)
            status = frame.body.first
            break
        }
        XCTAssertEqual(status, StatusCode.resourceExhausted.rawValue)
        XCTAssertGreaterThan(messages, 0)
        XCTAssertLessThan(messages, eventCount, "the watcher was cut off before the end")
        await server.stop()
    }

    /// The most a TCP socket's send buffer may grow to (`tcp_wmem`'s maximum), 4 MiB if unreadable.
    static func largestSocketSendBuffer() -> Int {
        let limits = (try? String(contentsOfFile: "/proc/sys/net/ipv4/tcp_wmem", encoding: .utf8)) ?? ""
        return limits.split(whereSeparator: \.isWhitespace).last.flatMap { Int($0) } ?? 4 << 20
    }
}
