import RPCCore
import TeamsProto
import XCTest

final class MethodTableTests: XCTestCase {
    func testEveryDescribedMethodIsListedWithWhetherItHasAHandler() {
        let table = MethodTable(services: [Teams_V1_Health.wireService, Teams_V1_TeamService.wireService]) { methods in
            methods.unary(Teams_V1_Health.Method.check) { _, _ in Teams_V1_CheckResponse() }
            methods.serverStreaming(Teams_V1_TeamService.Method.watchEvents) { _, _, _ in }
        }
        let listed = table.methods
        XCTAssertEqual(listed.count, Teams_V1_Health.wireService.methods.count + Teams_V1_TeamService.wireService.methods.count)
        XCTAssertEqual(listed.filter(\.implemented).map(\.path), [Teams_V1_Health.Method.check.path, Teams_V1_TeamService.Method.watchEvents.path])
        XCTAssertEqual(listed.first { $0.path == Teams_V1_TeamService.Method.watchEvents.path }?.kind, .serverStreaming)
    }
}
