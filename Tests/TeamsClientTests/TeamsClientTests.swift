import RPCCore
import RPCTransportInProcess
import TeamsClient
import TeamsDomain
import TeamsProto
import XCTest

/// The client in the domain's terms, against servers that answer wrongly on purpose.
final class TeamsClientTests: XCTestCase {
    /// A server whose GetTeam answers `response` and whose SearchTeams answers one bad team.
    func client(getTeam response: Teams_V1_GetTeamResponse) async throws -> TeamsClient {
        let table = MethodTable(services: [Teams_V1_TeamService.wireService]) { methods in
            methods.unary(Teams_V1_TeamService.Method.getTeam) { _, _ in response }
            methods.unary(Teams_V1_TeamService.Method.searchTeams) { _, _ in
                Teams_V1_SearchTeamsResponse(teams: [Teams_V1_Team(id: "bad")])
            }
        }
        return TeamsClient(connection: try await InProcessTransport(table: table).connect())
    }

    func testAResponseWithoutItsTeamIsInternal() async throws {
        let client = try await client(getTeam: Teams_V1_GetTeamResponse(team: nil))
        do {
            _ = try await client.getTeam(id: "9m4e2mr0ui3e8a215n4g")
            XCTFail("expected INTERNAL")
        } catch {
            XCTAssertEqual(error.code, .internal)
            XCTAssertTrue(error.message.contains("no team"), error.message)
        }
    }

    func testATeamWithABadIDOrPositionIsInternal() async throws {
        let badPosition = Teams_V1_Team(id: "9m4e2mr0ui3e8a215n4g", name: "A", players: [.init(name: "p", position: .unspecified)], version: 1)
        let client = try await client(getTeam: Teams_V1_GetTeamResponse(team: badPosition))
        do {
            _ = try await client.getTeam(id: "9m4e2mr0ui3e8a215n4g")
            XCTFail("expected INTERNAL")
        } catch {
            XCTAssertEqual(error.code, .internal)
        }
        do {
            _ = try await client.searchTeams()
            XCTFail("expected INTERNAL")
        } catch {
            XCTAssertEqual(error.code, .internal)
        }
    }

    func testAGoodTeamArrivesInTheDomainsTerms() async throws {
        let message = Teams_V1_Team(id: "9m4e2mr0ui3e8a215n4g", name: "Ajax", players: [.init(name: "Cruijff", position: .st)], version: 2)
        let team = try await client(getTeam: Teams_V1_GetTeamResponse(team: message)).getTeam(id: message.id)
        XCTAssertEqual(team, Team(id: TeamID(message.id)!, name: "Ajax", players: [Player(name: "Cruijff", position: .striker)], version: 2))
    }

    func testUnimplementedMethodsSaySo() async throws {
        let client = try await client(getTeam: Teams_V1_GetTeamResponse())
        do {
            _ = try await client.createTeam(name: "x")
            XCTFail("expected UNIMPLEMENTED")
        } catch {
            XCTAssertEqual(error.code, .unimplemented)
        }
    }
}
