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

    func testResponsesReachTheirOwnCallsAndAGoAwayEndsTheRest() async throws {
        let box = Box()
        try await loop.submit {
            let connection = ClientConnection(loop: self.loop)
            box.connection = connection
            connection.attach(box.output)
            for _ in 0..<3 {
                connection.startCall(path: self.check.path, request: Teams_V1_CheckRequest(), timeoutMilliseconds: nil, metadata: Metadata()) { event in
                    if case .end(let head, _) = event { box.events.append("\(head.status)") }
                }
            }
            var input = ByteBuffer()
            try ResponseHead(status: .notFound, message: "no").writeFrame(callID: 2, into: &input)
            writeGoAwayFrame(RPCError(.unavailable, "bye"), into: &input)
            connection.receive(input)
            // A call after the GOAWAY fails at once.
            connection.startCall(path: self.check.path, request: Teams_V1_CheckRequest(), timeoutMilliseconds: nil, metadata: Metadata()) { event in
                if case .end(let head, _) = event { box.events.append("late \(head.status)") }
            }
        }.get()
        try await loop.submit {}.get()  // the late call's failure arrives on the next tick
        XCTAssertEqual(box.events, ["NOT_FOUND", "UNAVAILABLE", "UNAVAILABLE", "late UNAVAILABLE"])
    }

    func testCancelTellsTheServerAndEndsTheCallAtOnce() async throws {
        let box = Box()
        try await loop.submit {
            let connection = ClientConnection(loop: self.loop)
            box.connection = connection
            connection.attach(box.output)
            let id = connection.startCall(path: self.check.path, request: Teams_V1_CheckRequest(), timeoutMilliseconds: 50, metadata: Metadata()) { event in
                if case .end(let head, _) = event { box.events.append("\(head.status)") }
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
