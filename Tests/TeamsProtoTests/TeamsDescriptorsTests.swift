import RPCCore
import TeamsProto
import XCTest

/// The generated method descriptors agree with protoc-c's service descriptors:
/// the same methods, in the same order, with the same message types.
final class TeamsDescriptorsTests: XCTestCase {
    func assertAgree(_ generated: [AnyMethodDescriptor], _ described: WireService, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(generated.map(\.path), described.methods.map(\.path), file: file, line: line)
        for (method, wire) in zip(generated, described.methods) {
            XCTAssertEqual(method.request, wire.input, method.path, file: file, line: line)
            XCTAssertEqual(method.response, wire.output, method.path, file: file, line: line)
        }
    }

    func testTeamServiceDescriptorsMatchProtocC() {
        assertAgree(Teams_V1_TeamService.Method.all, Teams_V1_TeamService.wireService)
        XCTAssertEqual(Teams_V1_TeamService.wireService.methods.count, 8)
    }

    func testHealthDescriptorsMatchProtocC() {
        assertAgree(Teams_V1_Health.Method.all, Teams_V1_Health.wireService)
    }

    func testOnlyWatchEventsStreams() {
        let streaming = (Teams_V1_TeamService.Method.all + Teams_V1_Health.Method.all).filter { $0.kind == .serverStreaming }.map(\.path)
        XCTAssertEqual(streaming, [Teams_V1_TeamService.Method.watchEvents.path])
        XCTAssertEqual(Teams_V1_TeamService.Method.getTeam.method, "GetTeam")
        XCTAssertEqual(Teams_V1_TeamService.Method.getTeam.service, "teams.v1.TeamService")
        XCTAssertEqual(Teams_V1_GetTeamRequest.wireType.name, "teams.v1.GetTeamRequest")
    }
}
