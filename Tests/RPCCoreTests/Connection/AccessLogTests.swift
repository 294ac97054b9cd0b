import InMemoryLogging
import Logging
import NIOCore
import NIOEmbedded
@testable import RPCCore
import TeamsProto
import XCTest

final class AccessLogTests: XCTestCase {
    let handler = InMemoryLogHandler()
    var logger: Logger {
        var logger = Logger(label: "test") { _ in self.handler }
        logger.logLevel = .info
        return logger
    }

    func call(audited: Bool) -> ServerCall {
        let loop = EmbeddedEventLoop()
        let connection = ServerConnection(
            table: MethodTable(services: [Teams_V1_Health.wireService]) { _ in }, loop: loop, executor: EventLoopTaskExecutor(loop: loop),
            limits: .init(maximumFrameLength: 1024, maximumBufferedOutput: 1 << 20), logger: logger)
        let call = ServerCall(
            callID: 4, method: 0, context: ServerContext(path: "/s/Write", caller: nil), isStreaming: false, requestID: "req-1",
            traceParent: nil, startedAt: .now(), connection: connection)
        call.isAudited = audited
        return call
    }

    func testOnlyAuditedCallsAreLoggedUnlessEveryCallIs() {
        let quiet = AccessLog(logger: logger, logsEveryCall: false, peerLog: PeerLogLimiter(), peerAddress: "10.0.0.1")
        quiet.ended(call(audited: false), status: .ok, caller: nil)
        quiet.refused(path: "/s/Write", callID: 1, status: .unavailable, message: "draining", caller: nil)
        XCTAssertEqual(handler.entries.count, 0)
        quiet.ended(call(audited: true), status: .ok, caller: Caller(name: "alice", role: "writer"))
        XCTAssertEqual(handler.entries.map(\.level), [.notice])
        XCTAssertEqual(handler.entries.last?.metadata["caller"], "alice")
        XCTAssertEqual(handler.entries.last?.metadata["request_id"], "req-1")

        let everything = AccessLog(logger: logger, logsEveryCall: true, peerLog: PeerLogLimiter(), peerAddress: nil)
        everything.ended(call(audited: false), status: .notFound, caller: nil)
        everything.refused(path: "/s/Write", callID: 1, status: .unavailable, message: "draining", caller: nil)
        XCTAssertEqual(handler.entries.map(\.level), [.notice, .info, .info])
        XCTAssertEqual(handler.entries.last?.metadata["message"], "draining")
        XCTAssertEqual(handler.entries.last?.metadata["peer"], "-")
    }

    /// Lines a peer causes at will are rate-limited; a close the server chose is not.
    func testLinesAPeerCausesAreRateLimited() {
        let log = AccessLog(logger: logger, logsEveryCall: false, peerLog: PeerLogLimiter(burst: 2, linesPerSecond: 0.001), peerAddress: "10.0.0.1")
        for _ in 0..<5 { log.denied(path: "/s/Write", status: .permissionDenied, caller: nil) }
        XCTAssertEqual(handler.entries.count, 2)
        for _ in 0..<3 { log.closing(RPCError(.unavailable, "idle"), reason: "idle", peerToBlame: false, notice: false) }
        XCTAssertEqual(handler.entries.count, 5)
    }
}
