import Foundation
import TeamsClient
import TeamsDomain
import RPCCore
import RPCTransportNIO
import TeamsTestSupport
import XCTest

/// The DynamoDB endpoint of a running `teams-server` stops and comes back.
final class DynamoDBServerFaultTests: XCTestCase {
    func testCallersGetUnavailableAndTheServerRecoversByItself() async throws {
        let binary = try builtExecutable("teams-server")
        var moto = try startMotoForDynamoDBTests()
        defer { moto.stop() }
        let table = "faults-\(UUID().uuidString.prefix(8))"
        let server = try ServerProcess(binary: binary, table: table, endpoint: moto.endpoint)
        defer { server.terminate() }
        let deadline = Duration.seconds(10)
        let client = try await TeamsClient.connect(host: "127.0.0.1", port: server.port, options: CallOptions(timeout: deadline))
        let team = try await client.createTeam(name: "Before")

        moto.stop()
        for (what, call) in [
            ("GetTeam", { () async throws(RPCError) in _ = try await client.getTeam(id: team.id.description) }),
            ("AddPlayer", { () async throws(RPCError) in _ = try await client.addPlayer(teamID: team.id.description, name: "Edwin", position: .goalkeeper) }),
            ("CreateTeam", { () async throws(RPCError) in _ = try await client.createTeam(name: "During") }),
            ("SearchTeams", { () async throws(RPCError) in _ = try await client.searchTeams(term: "") }),
        ] as [(String, () async throws(RPCError) -> Void)] {
            let started = ContinuousClock.now
            do {
                try await call()
                XCTFail("\(what) succeeded with DynamoDB down")
            } catch {
                XCTAssertEqual(error.code, .unavailable, "\(what): \(error)")
            }
            let took = ContinuousClock.now - started
            XCTAssertLessThan(took, .seconds(5), "\(what) answered within its \(deadline) deadline, well before it")
        }

        // The endpoint is back on the same port. Moto forgot everything, so the
        // tables are made again from outside, as an operator would restore them (the
        // team table with its stream, and the index table); the server process is not
        // touched and serves again, on the new stream.
        moto = try startMotoForDynamoDBTests(port: moto.port)
        try createTable(table, endpoint: moto.endpoint)
        let after = try await client.createTeam(name: "After")
        let read = try await client.getTeam(id: after.id.description)
        XCTAssertEqual(read, after)
        // The index follows the stream: the new team is found within moments.
        var found: [Team] = []
        for _ in 0..<100 {
            found = try await client.searchTeams(term: "after").teams
            if !found.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(found, [after])
        await client.close()
    }

    /// CreateTable through botocore (installed with moto), outside the server under test.
    private func createTable(_ table: String, endpoint: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try MotoServer.motoPython())
        process.arguments = ["-c", """
            import boto3, sys
            client = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1",
                                  aws_access_key_id="test", aws_secret_access_key="test")
            client.create_table(TableName=sys.argv[2], BillingMode="PAY_PER_REQUEST",
                                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
            client.create_table(TableName=sys.argv[2] + "-names", BillingMode="PAY_PER_REQUEST",
                                KeySchema=[{"AttributeName": "ixList", "KeyType": "HASH"},
                                           {"AttributeName": "ixOrder", "KeyType": "RANGE"}],
                                AttributeDefinitions=[{"AttributeName": "ixList", "AttributeType": "S"},
                                                      {"AttributeName": "ixOrder", "AttributeType": "S"}])
            """, endpoint.absoluteString, table]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "create_table through boto3")
    }
}
