import RPCCore
import RPCTransportInProcess
import TeamsProto
import XCTest

/// The in-process transport runs the whole call path, framing and bridge included, without a socket.
final class InProcessTransportTests: XCTestCase {
    let table = MethodTable(services: [Teams_V1_Health.wireService]) { methods in
        methods.unary(Teams_V1_Health.Method.check) { _, context in Teams_V1_CheckResponse(status: .serving, store: context.path) }
    }

    func testAUnaryCallRoundTrips() async throws {
        let transport = InProcessTransport(table: table)
        let connection = try await transport.connect()
        let response = try await connection.unary(Teams_V1_Health.Method.check, Teams_V1_CheckRequest())
        XCTAssertEqual(response, Teams_V1_CheckResponse(status: .serving, store: Teams_V1_Health.Method.check.path))
        await connection.close()
    }

    func testAnUnimplementedMethodIsUnimplemented() async throws {
        let connection = try await InProcessTransport(table: table).connect()
        do {
            _ = try await connection.unary(Teams_V1_Health.Method.listMethods, Teams_V1_ListMethodsRequest())
            XCTFail("expected UNIMPLEMENTED")
        } catch {
            XCTAssertEqual(error.code, .unimplemented)
        }
    }

    func testAfterCloseCallsAreUnavailable() async throws {
        let connection = try await InProcessTransport(table: table).connect()
        await connection.close()
        do {
            _ = try await connection.unary(Teams_V1_Health.Method.check, Teams_V1_CheckRequest())
            XCTFail("expected UNAVAILABLE")
        } catch {
            XCTAssertEqual(error.code, .unavailable)
        }
    }

    func testShutdownClosesConnectionsOnceIdle() async throws {
        let transport = InProcessTransport(table: table)
        let connection = try await transport.connect()
        _ = try await connection.unary(Teams_V1_Health.Method.check, Teams_V1_CheckRequest())
        await transport.shutdownGracefully()
        var status: StatusCode?
        for _ in 0..<100 {
            do {
                _ = try await connection.unary(Teams_V1_Health.Method.check, Teams_V1_CheckRequest())
            } catch {
                status = error.code
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTAssertEqual(status, .unavailable)
    }
}
