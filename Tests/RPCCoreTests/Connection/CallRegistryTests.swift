import Logging
import NIOCore
import NIOEmbedded
@testable import RPCCore
import TeamsProto
import XCTest

final class CallRegistryTests: XCTestCase {
    let loop = EmbeddedEventLoop()
    lazy var connection = ServerConnection(
        table: MethodTable(services: [Teams_V1_Health.wireService]) { _ in }, loop: loop, executor: EventLoopTaskExecutor(loop: loop),
        limits: .init(maximumFrameLength: 1024, maximumBufferedOutput: 1 << 20), logger: Logger(label: "test"))

    func call(_ id: UInt32) -> ServerCall {
        ServerCall(
            callID: id, method: 0, context: ServerContext(path: "/p", caller: nil), isStreaming: false, requestID: nil, traceParent: nil,
            startedAt: .now(), connection: connection)
    }

    func testACallIDInFlightOrOneCallTooManyIsRefused() {
        var registry = CallRegistry(limit: 2)
        XCTAssertNil(registry.refusal(of: 1))
        registry.track(call(1))
        XCTAssertEqual(registry.refusal(of: 1), RPCError(.invalidArgument, "call id 1 is already in flight"))
        registry.track(call(2))
        XCTAssertEqual(registry.refusal(of: 3), RPCError(.resourceExhausted, "2 calls are in flight on this connection, the limit"))
    }

    func testOnlyTrackedCallsAreRemembered() {
        var registry = CallRegistry(limit: 10)
        let tracked = call(1)
        let untracked = call(2)
        registry.track(tracked)
        XCTAssertTrue(tracked.isTracked)
        XCTAssertTrue(registry[1] === tracked)
        registry.remove(untracked)
        XCTAssertEqual(registry.count, 1, "a call never tracked removes nothing")
        registry.remove(tracked)
        XCTAssertTrue(registry.isEmpty)
    }

    func testTheLastAcceptedCallIsKeptAfterItEnds() {
        var registry = CallRegistry(limit: 10)
        registry.accepted(7)
        registry.accepted(9)
        XCTAssertEqual(registry.lastAcceptedCallID, 9)
        let calls = [call(1), call(2)]
        for call in calls { registry.track(call) }
        XCTAssertEqual(Set(registry.removeAll().map(\.callID)), [1, 2])
        XCTAssertTrue(registry.isEmpty)
        XCTAssertEqual(registry.lastAcceptedCallID, 9)
    }
}
