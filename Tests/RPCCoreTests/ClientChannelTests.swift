import NIOCore
import NIOPosix
@testable import RPCCore
import TeamsProto
import XCTest

/// The balancing, reconnecting, retrying client without a transport: its
/// connector joins each connection to a `RecordingOutput`, and the test plays the server.
final class ClientChannelTests: XCTestCase {
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let check = Teams_V1_Health.Method.check
    let addPlayer = Teams_V1_TeamService.Method.addPlayer
    let a = Endpoint(host: "a", port: 1)
    let b = Endpoint(host: "b", port: 2)

    /// Plays the servers: which endpoints accept, and each connection made.
    final class Servers: @unchecked Sendable {
        var reachable: Set<Endpoint> = []
        var connections: [(endpoint: Endpoint, connection: ClientConnection, output: RecordingOutput)] = []
        var pendingConnects: [EventLoopPromise<Void>] = []
        var holdConnects = false
        var channel: ClientChannel?
        var events: [String] = []

        func connector(loop: any EventLoop) -> ClientChannel.Connector {
            { endpoint, connection in
                guard self.reachable.contains(endpoint) else {
                    return loop.makeFailedFuture(RPCError(.unavailable, "connection refused"))
                }
                let output = RecordingOutput()
                connection.attach(output)
                self.connections.append((endpoint, connection, output))
                guard self.holdConnects else { return loop.makeSucceededFuture(()) }
                let promise = loop.makePromise(of: Void.self)
                self.pendingConnects.append(promise)
                return promise.futureResult
            }
        }

        /// Requests written to `endpoint`'s live connection so far, by call id.
        func requests(to endpoint: Endpoint) throws -> [UInt32] {
            try connections.filter { $0.endpoint == endpoint }.flatMap { try $0.output.frames().filter { $0.type == .request }.map(\.callID) }
        }

        func answer(_ endpoint: Endpoint, callID: UInt32, _ status: StatusCode) throws {
            var input = ByteBuffer()
            try ResponseHead(status: status, message: status == .ok ? "" : "test").writeFrame(callID: callID, into: &input)
            connections.last { $0.endpoint == endpoint }!.connection.receive(input)
        }

        func record(_ label: String) -> (ClientCallEvent) -> Void {
            { event in
                if case .end(let head, _) = event { self.events.append("\(label) \(head.status)") }
            }
        }
    }

    func makeChannel(_ servers: Servers, endpoints: [Endpoint], configure: (inout ClientConfiguration) -> Void = { _ in }) async throws {
        var configuration = ClientConfiguration()
        configuration.keepalive = nil
        configuration.connectionBackoff = Backoff(base: .milliseconds(20), max: .milliseconds(20), jitter: .none)
        configuration.retryBackoff = Backoff(base: .milliseconds(1), max: .milliseconds(1), jitter: .none)
        configure(&configuration)
        try await loop.submit {
            servers.channel = ClientChannel(endpoints: endpoints, configuration: configuration, loop: self.loop, connector: servers.connector(loop: self.loop))
        }.get()
    }

    /// Lets the loop run the flushes and timers due by then.
    func settle(_ milliseconds: Int64 = 5) async throws {
        try await Task.sleep(for: .milliseconds(milliseconds))
        try await loop.submit {}.get()
    }

    func testCallsGoToTheLeastBusyEndpoint() async throws {
        let servers = Servers()
        servers.reachable = [a, b]
        try await makeChannel(servers, endpoints: [a, b])
        try await loop.submit {
            for index in 0..<6 { _ = servers.channel!.startCall(self.check, .init(), options: CallOptions(), listener: servers.record("\(index)")) }
        }.get()
        try await settle()
        let (toA, toB) = try await loop.submit { (try servers.requests(to: self.a).count, try servers.requests(to: self.b).count) }.get()
        XCTAssertEqual(toA, 3)
        XCTAssertEqual(toB, 3)
    }

    func testACallWaitsForAnEndpointToBecomeReady() async throws {
        let servers = Servers()
        servers.reachable = [a]
        servers.holdConnects = true
        try await makeChannel(servers, endpoints: [a])
        try await loop.submit { _ = servers.channel!.startCall(self.check, .init(), options: CallOptions(timeout: .seconds(5)), listener: servers.record("call")) }.get()
        try await settle()
        let sentEarly = try await loop.submit { try servers.requests(to: self.a) }.get()
        XCTAssertEqual(sentEarly, [], "nothing is ready yet")
        try await loop.submit { servers.pendingConnects.removeFirst().succeed() }.get()
        try await settle()
        let sent = try await loop.submit { try servers.requests(to: self.a) }.get()
        XCTAssertEqual(sent.count, 1)
        try await loop.submit { try servers.answer(self.a, callID: sent[0], .ok) }.get()
        XCTAssertEqual(servers.events, ["call OK"])
    }

    /// Fail-fast: once every endpoint's last attempt failed, a call fails at once with
    /// the cause; one that waits for ready keeps waiting and runs when a server is back.
    func testUnreachableEndpointsFailACallAtOnceUnlessItWaitsForReady() async throws {
        let servers = Servers()
        try await makeChannel(servers, endpoints: [a, b])
        try await settle(10)
        try await loop.submit {
            _ = servers.channel!.startCall(self.check, .init(), options: CallOptions(timeout: .seconds(5)), listener: servers.record("fast"))
            _ = servers.channel!.startCall(self.check, .init(), options: CallOptions(timeout: .seconds(5), waitForReady: true), listener: servers.record("patient"))
        }.get()
        try await settle()
        XCTAssertEqual(servers.events, ["fast UNAVAILABLE"], "the fail-fast call ended at once, the other waits")
        try await loop.submit { servers.reachable = [self.b] }.get()
        for _ in 0..<100 where try await loop.submit({ try servers.requests(to: self.b).isEmpty }).get() { try await settle(10) }
        let sent = try await loop.submit { try servers.requests(to: self.b) }.get()
        XCTAssertEqual(sent.count, 1, "the waiting call ran once b came back")
        try await loop.submit { try servers.answer(self.b, callID: sent[0], .ok) }.get()
        XCTAssertEqual(servers.events, ["fast UNAVAILABLE", "patient OK"])
    }

    func testAnUnreachableEndpointFailsTheCallAtItsDeadlineNamingTheCause() async throws {
        let servers = Servers()
        try await makeChannel(servers, endpoints: [a])
        try await loop.submit { _ = servers.channel!.startCall(self.check, .init(), options: CallOptions(timeout: .milliseconds(80), waitForReady: true), listener: servers.record("call")) }.get()
        for _ in 0..<200 where servers.events.isEmpty { try await settle(10) }
        XCTAssertEqual(servers.events, ["call UNAVAILABLE"])
        let statistics = try await loop.submit { servers.channel!.statistics }.get()
        XCTAssertEqual(statistics.reconnects, 0, "it never connected, so nothing was a reconnect")
    }

    func testCallsAboveAGoAwaysLastCallIDRunOnAnotherEndpointAndTheEndpointIsReconnected() async throws {
        let servers = Servers()
        servers.reachable = [a]
        try await makeChannel(servers, endpoints: [a, b])
        try await settle()
        try await loop.submit {
            // Mutations, so only a call that never ran may be sent again. B comes up only as A
            // drains, so they wait for ready rather than fail while neither is connected.
            for index in 0..<3 {
                _ = servers.channel!.startCall(self.addPlayer, .init(), options: CallOptions(waitForReady: true), listener: servers.record("\(index)"))
            }
        }.get()
        try await settle()
        // A drains: it stops accepting, and says only call 1 will run.
        try await loop.submit {
            servers.reachable = [self.b]
            var input = ByteBuffer()
            writeGoAwayFrame(RPCError(.unavailable, "draining"), lastCallID: 1, into: &input)
            servers.connections[0].connection.receive(input)
        }.get()
        for _ in 0..<100 {
            let count = try await loop.submit { try servers.requests(to: self.b).count }.get()
            if count >= 2 { break }
            try await settle(10)
        }
        let (toB, statistics) = try await loop.submit { (try servers.requests(to: self.b), servers.channel!.statistics) }.get()
        XCTAssertEqual(toB.count, 2, "calls 2 and 3 never ran on A")
        XCTAssertEqual(statistics.transparentRetries, 2)
        try await loop.submit {
            try servers.answer(self.a, callID: 1, .ok)  // the drained connection still answers what it accepted
            for callID in toB { try servers.answer(self.b, callID: callID, .ok) }
        }.get()
        XCTAssertEqual(servers.events.sorted(), ["0 OK", "1 OK", "2 OK"])
        // A comes back and is connected again.
        try await loop.submit { servers.reachable = [self.a, self.b] }.get()
        for _ in 0..<100 {
            let count = try await loop.submit { servers.connections.filter { $0.endpoint == self.a }.count }.get()
            if count >= 2 { break }
            try await settle(10)
        }
        let (toA, reconnects) = try await loop.submit { (servers.connections.filter { $0.endpoint == self.a }.count, servers.channel!.statistics.reconnects) }.get()
        XCTAssertEqual(toA, 2)
        XCTAssertEqual(reconnects, 1)
    }

    func testUnavailableIsRetriedForAReadButNotForAMutation() async throws {
        let servers = Servers()
        servers.reachable = [a]
        try await makeChannel(servers, endpoints: [a])
        try await settle()
        try await loop.submit {
            _ = servers.channel!.startCall(self.check, .init(), options: CallOptions(), listener: servers.record("read"))
            _ = servers.channel!.startCall(self.addPlayer, .init(), options: CallOptions(), listener: servers.record("write"))
            _ = servers.channel!.startCall(self.addPlayer, .init(), options: CallOptions(isIdempotent: true), listener: servers.record("keyed"))
        }.get()
        try await settle()
        try await loop.submit { for callID in [1, 2, 3] as [UInt32] { try servers.answer(self.a, callID: callID, .unavailable) } }.get()
        try await settle(20)
        let retried = try await loop.submit { try servers.requests(to: self.a) }.get()
        XCTAssertEqual(retried, [1, 2, 3, 4, 5], "the read and the idempotent write are sent again")
        try await loop.submit { for callID in [4, 5] as [UInt32] { try servers.answer(self.a, callID: callID, .ok) } }.get()
        XCTAssertEqual(servers.events, ["write UNAVAILABLE", "read OK", "keyed OK"])
        let retries = try await loop.submit { servers.channel!.statistics.retries }.get()
        XCTAssertEqual(retries, 2)
    }

    func testTheRetryBudgetStopsRetriesWhileMostCallsFail() async throws {
        let servers = Servers()
        servers.reachable = [a]
        try await makeChannel(servers, endpoints: [a])
        try await settle()
        // Ten reads, each answered UNAVAILABLE every time it is sent.
        try await loop.submit { for index in 0..<10 { _ = servers.channel!.startCall(self.check, .init(), options: CallOptions(), listener: servers.record("\(index)")) } }.get()
        var answered: Set<UInt32> = []
        for _ in 0..<50 where servers.events.count < 10 {
            try await settle(5)
            try await loop.submit {
                for callID in try servers.requests(to: self.a) where !answered.contains(callID) {
                    answered.insert(callID)
                    try servers.answer(self.a, callID: callID, .unavailable)
                }
            }.get()
        }
        XCTAssertEqual(servers.events.count, 10)
        XCTAssertEqual(Set(servers.events), ["0 UNAVAILABLE", "1 UNAVAILABLE", "2 UNAVAILABLE", "3 UNAVAILABLE", "4 UNAVAILABLE", "5 UNAVAILABLE", "6 UNAVAILABLE", "7 UNAVAILABLE", "8 UNAVAILABLE", "9 UNAVAILABLE"])
        // 10 tokens, one per failure, retries only above 5: four retries in all, not 40.
        let retries = try await loop.submit { servers.channel!.statistics.retries }.get()
        XCTAssertEqual(retries, 4)
    }
}
