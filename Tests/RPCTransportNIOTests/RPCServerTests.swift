import Logging
import RPCCore
import RPCTransportNIO
import TeamsProto
import XCTest

/// The TCP transport: a real socket on loopback, and its shutdown.
final class RPCServerTests: XCTestCase {
    let table = MethodTable(services: [Teams_V1_Health.wireService]) { methods in
        methods.unary(Teams_V1_Health.Method.check) { _, _ in Teams_V1_CheckResponse(status: .serving, store: "tcp") }
    }

    func testACallOverLoopbackAndGracefulShutdown() async throws {
        let server = try await RPCServer(configuration: .init(host: "127.0.0.1", port: 0), table: table, logger: Logger(label: "test"))
        let port = try XCTUnwrap(server.localAddress.port)
        let connection = try await RPCConnection.connect(host: "127.0.0.1", port: port)
        let response = try await connection.unary(Teams_V1_Health.Method.check, Teams_V1_CheckRequest())
        XCTAssertEqual(response.store, "tcp")
        await server.shutdownGracefully()
        do {
            _ = try await connection.unary(Teams_V1_Health.Method.check, Teams_V1_CheckRequest())
            XCTFail("expected UNAVAILABLE after shutdown")
        } catch {
            XCTAssertEqual(error.code, .unavailable)
        }
    }

    func testConnectingToAClosedPortIsUnavailableNamingTheAddress() async throws {
        let server = try await RPCServer(configuration: .init(host: "127.0.0.1", port: 0), table: table, logger: Logger(label: "test"))
        let port = try XCTUnwrap(server.localAddress.port)
        await server.shutdownGracefully()
        do {
            _ = try await RPCConnection.connect(host: "127.0.0.1", port: port)
            XCTFail("expected UNAVAILABLE")
        } catch {
            XCTAssertEqual(error.code, .unavailable)
            XCTAssertTrue(error.message.contains("127.0.0.1:\(port)"), error.message)
        }
    }
}
