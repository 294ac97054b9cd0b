import NIOCore
import NIOPosix
@testable import RPCCore
import TeamsProto
import XCTest

/// The client side of a connection without a transport: what it writes, and
/// how it routes what comes back.
final class ClientConnectionTests: XCTestCase {
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let check = Teams_V1_Health.Method.check

    final class Box: @unchecked Sendable {
        let output = RecordingOutput()
        var connection: ClientConnection?
        var events: [String] = []
    }

    func testTheFirstCallNamesItsMethodAndLaterCallsSendTheRefOnly() async throws {
        let box = Box()
        try await loop.submit {
            let connection = ClientConnection(loop: self.loop)
            box.connection = connection
            connection.attach(box.output)
            for _ in 0..<2 {
                connection.startCall(path: self.check.path, request: Teams_V1_CheckRequest(), timeoutMilliseconds: nil, metadata: Metadata()) { _ in }
            }
        }.get()
        try await loop.submit {}.get()  // the flush runs on the next tick
        let heads = try box.output.frames().map { frame -> RequestHead in
            var body = frame.body
            return try RequestHead.read(flags: frame.flags, from: &body)
        }
        XCTAssertEqual(heads.map(\.methodName), [check.path, nil])
        XCTAssertEqual(heads.map(\.methodRef), [1, 1])
        XCTAssertEqual(try box.output.frames().map(\.callID), [1, 2])
    }

    /// A reply in HTTP (a metrics port, say) fails the calls at once, saying what answered,
    /// and marks the connection as never usable.
    func testAReplyInAnotherProtocolFailsTheCallsNamingIt() async throws {
        let box = Box()
        try await loop.submit {
            let connection = ClientConnection(loop: self.loop)
            box.connection = connection
            connection.attach(box.output)
            connection.startCall(path: self.check.path, request: Teams_V1_CheckRequest(), timeoutMilliseconds: nil, metadata: Metadata()) { event in
                if case .call(.end(let head, _)) = event { box.events.append("\(head.status) \(head.message)") }
                if case .notRun(let error) = event { box.events.append("\(error.code) \(error.message)") }
            }
            connection.receive(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"))
        }.get()
        try await loop.submit {}.get()
        XCTAssertEqual(box.events.count, 1)
        XCTAssertTrue(box.events[0].hasPrefix("UNAVAILABLE the server answered in HTTP: this is an HTTP port (the metrics port?)"), "\(box.events)")
        XCTAssertEqual(box.connection?.foreignProtocol, .http)
        XCTAssertTrue(box.output.isClosed)
    }

    /// A server that announces a frame beyond the client's limit fails every call of
    /// the connection at once, rather than holding them while it buffers 4 GiB.
    func testAResponseFrameBeyondTheLimitFailsTheCallsAtOnce() async throws {
        let box = Box()
        try await loop.submit {
            let connection = ClientConnection(loop: self.loop, maximumResponseFrameLength: 1 << 20)
            box.connection = connection
            connection.attach(box.output)
            for _ in 0..<2 {
                connection.startCall(path: self.check.path, request: Teams_V1_CheckRequest(), timeoutMilliseconds: nil, metadata: Metadata()) { event in
                    if case .call(.end(let head, _)) = event { box.events.append("\(head.status) \(head.message)") }
                    if case .notRun(let error) = event { box.events.append("\(error.code) \(error.message)") }
                }
            }
            var header = ByteBuffer()
            header.writeMultipleIntegers(UInt32.max, FrameType.response.rawValue, UInt8(0), UInt32(1))
            connection.receive(header)
        }.get()
        try await loop.submit {}.get()
        XCTAssertEqual(box.events.count, 2, "\(box.events)")
        XCTAssertTrue(box.events.allSatisfy { $0.hasPrefix("RESOURCE_EXHAUSTED the server sent a frame of 4294967295 bytes") }, "\(box.events)")
        XCTAssertTrue(box.output.isClosed)
    }

    func testAGoAwayEndsTheCallsAboveItsLastCallIDAsNotRunAndTheOthersWait() async throws {
        let box = Box()
        let record: @Sendable (String) -> ClientConnection.Listener = { label in
            { event in
                switch event {
                case .call(.end(let head, _)): box.events.append("\(label) \(head.status)")
                case .notRun: box.events.append("\(label) not run")
                case .call(.message): break
                }
            }
        }
        try await loop.submit {
            let connection = ClientConnection(loop: self.loop)
            box.connection = connection
            connection.attach(box.output)
            for label in ["1", "2", "3"] {
                connection.startCall(path: self.check.path, request: Teams_V1_CheckRequest(), timeoutMilliseconds: nil, metadata: Metadata(), listener: record(label))
            }
        }.get()
        try await loop.submit {}.get()  // flushed: all three are on their way
        try await loop.submit {
            let connection = box.connection!
            var input = ByteBuffer()
            try ResponseHead(status: .notFound, message: "no").writeFrame(callID: 2, into: &input)
            writeGoAwayFrame(RPCError(.unavailable, "draining"), lastCallID: 2, into: &input)
            connection.receive(input)
            XCTAssertFalse(connection.isUsable)
            // A call after the GOAWAY is not sent, and hears so on a later tick.
            connection.startCall(path: self.check.path, request: Teams_V1_CheckRequest(), timeoutMilliseconds: nil, metadata: Metadata(), listener: record("late"))
        }.get()
        try await loop.submit {}.get()
        XCTAssertEqual(box.events, ["2 NOT_FOUND", "3 not run", "late not run"])
        // Call 1 was accepted: it waits; when the connection is lost, its outcome is unknown.
        try await loop.submit { box.connection!.closed(RPCError(.unavailable, "connection closed")) }.get()
        XCTAssertEqual(box.events.last, "1 UNAVAILABLE")
    }

    func testCallsNotYetWrittenWhenTheConnectionCloses_AreNotRun() async throws {
        let box = Box()
        try await loop.submit {
            let connection = ClientConnection(loop: self.loop)
            connection.attach(box.output)
            connection.startCall(path: self.check.path, request: Teams_V1_CheckRequest(), timeoutMilliseconds: nil, metadata: Metadata()) { event in
                if case .notRun = event { box.events.append("not run") }
            }
            connection.closed(RPCError(.unavailable, "connection closed"))
        }.get()
        XCTAssertEqual(box.events, ["not run"])
    }

    func testAnIdleConnectionPingsAndOneWithoutAPongIsClosed() async throws {
        let box = Box()
        try await loop.submit {
            let connection = ClientConnection(loop: self.loop, keepalive: .init(interval: .milliseconds(20), timeout: .milliseconds(30)))
            box.connection = connection
            connection.onClose = { error in box.events.append("closed: \(error.message)") }
            connection.attach(box.output)
        }.get()
        var closed = false
        for _ in 0..<200 where !closed {
            try await Task.sleep(for: .milliseconds(10))
            closed = try await loop.submit { box.output.isClosed }.get()
        }
        XCTAssertTrue(closed, "no PONG came, so the connection is closed")
        let (frames, timeouts) = try await loop.submit { (try box.output.frames().map(\.type), box.connection!.keepaliveTimeouts) }.get()
        XCTAssertEqual(frames, [.ping])
        XCTAssertEqual(timeouts, 1)
        XCTAssertEqual(box.events.count, 1)
        XCTAssertTrue(box.events[0].contains("no PONG"), box.events[0])
    }

    func testAPongKeepsTheConnection() async throws {
        let box = Box()
        try await loop.submit {
            let connection = ClientConnection(loop: self.loop, keepalive: .init(interval: .milliseconds(20), timeout: .milliseconds(200)))
            box.connection = connection
            connection.attach(box.output)
        }.get()
        // Answer each PING as a server would, for a while.
        var answered = 0
        for _ in 0..<100 where answered < 3 {
            try await Task.sleep(for: .milliseconds(10))
            answered = try await loop.submit {
                let pings = try box.output.frames().filter { $0.type == .ping }
                if pings.count > answered {
                    var pong = ByteBuffer()
                    writeKeepaliveFrame(.pong, value: pings.last!.callID, into: &pong)
                    box.connection!.receive(pong)
                }
                return pings.count
            }.get()
        }
        XCTAssertGreaterThanOrEqual(answered, 3)
        let closed = try await loop.submit { box.output.isClosed }.get()
        XCTAssertFalse(closed)
    }

    func testCancelTellsTheServerAndEndsTheCallAtOnce() async throws {
        let box = Box()
        try await loop.submit {
            let connection = ClientConnection(loop: self.loop)
            box.connection = connection
            connection.attach(box.output)
            let id = connection.startCall(path: self.check.path, request: Teams_V1_CheckRequest(), timeoutMilliseconds: 50, metadata: Metadata()) { event in
                if case .call(.end(let head, _)) = event { box.events.append("\(head.status)") }
            }
            connection.cancel(callID: id)
        }.get()
        try await loop.submit {}.get()
        XCTAssertEqual(box.events, ["CANCELLED"])
        XCTAssertEqual(try box.output.frames().map(\.type), [.request, .cancel])
    }

    /// `teams bench` starts its next call from the listener of the last. On a lost
    /// connection each failure used to arrive inside `startCall`, so the chain recursed
    /// until the stack overflowed and the bench died with SIGSEGV.
    func testCallsStartedFromTheListenerOfAFailedCallDoNotRecurse() async throws {
        final class Chain: @unchecked Sendable {
            var connection: ClientConnection?
            var remaining = 200_000
            var depth = 0
            var deepest = 0
            let done: EventLoopPromise<Void>
            init(done: EventLoopPromise<Void>) { self.done = done }

            func next() {
                guard remaining > 0 else { return done.succeed() }
                remaining -= 1
                depth += 1
                deepest = max(deepest, depth)
                connection!.startCall(path: "/x.Y/Z", request: Metadata.Message(), timeoutMilliseconds: nil, metadata: Metadata()) { [self] _ in next() }
                depth -= 1
            }
        }
        let chain = Chain(done: loop.makePromise())
        try await loop.submit {
            let connection = ClientConnection(loop: self.loop)
            connection.attach(RecordingOutput())
            connection.closed(RPCError(.unavailable, "connection closed"))
            chain.connection = connection
            chain.next()
        }.get()
        try await chain.done.futureResult.get()
        XCTAssertEqual(chain.remaining, 0)
        XCTAssertEqual(chain.deepest, 1, "each failure arrives on its own tick")
    }
}
