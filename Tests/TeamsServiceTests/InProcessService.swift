import RPCCore
import RPCTransportInProcess
import TeamsClient
import TeamsDomain
import TeamsMemoryStore
import TeamsService

/// The service's real method table on an in-process transport: every call runs
/// the framing, the bridge and the handlers, without a socket.
struct InProcessService {
    let transport: InProcessTransport
    let interactor: TeamInteractor

    /// What Health/Check reports as the server's build.
    static let serverVersion = "9.9.9 (commit test, Swift 6)"

    init(store: any TeamStore = InMemoryTeamRepository()) {
        let changes = ChangeSignal()
        interactor = TeamInteractor(repository: store, changes: changes)
        let events = EventWatch(outbox: store, changes: changes)
        transport = InProcessTransport(table: TeamServiceMethods.table(interactor: interactor, storeDescription: "memory", events: events, serverVersion: Self.serverVersion))
    }

    func client() async throws -> TeamsClient {
        TeamsClient(connection: try await transport.connect(), options: CallOptions(timeout: .seconds(10)))
    }
}

func assertStatus<T>(_ code: StatusCode, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> T) async {
    do {
        _ = try await body()
        XCTFail("expected \(code)", file: file, line: line)
    } catch let error as RPCError {
        XCTAssertEqual(error.code, code, error.message, file: file, line: line)
    } catch {
        XCTFail("unexpected \(error)", file: file, line: line)
    }
}

import XCTest
