import RPCCore
import TeamsProto
import XCTest

final class HealthHandlerTests: XCTestCase {
    func testCheckReportsTheStoreAndTheBuild() async throws {
        let health = try await InProcessService().client().check()
        XCTAssertTrue(health.serving)
        XCTAssertEqual(health.store, "memory")
        XCTAssertEqual(health.version, InProcessService.serverVersion)
    }

    func testListMethodsNamesEveryDescribedMethodOnce() async throws {
        let methods = try await InProcessService().client().listMethods()
        let expected = Teams_V1_TeamService.Method.all + Teams_V1_Health.Method.all
        XCTAssertEqual(methods.map(\.name), expected.map(\.path))
        XCTAssertEqual(methods.filter(\.serverStreaming).map(\.name), [Teams_V1_TeamService.Method.watchEvents.path])
    }
}
