import Foundation
import TeamsDomain
import TeamsMemoryStore
import TeamsSQLiteStore
import XCTest

final class InMemoryTeamStoreContractTests: XCTestCase {
    func testContract() async {
        await TeamStoreContract.run { InMemoryTeamRepository() }
    }
}

final class SQLiteTeamStoreContractTests: XCTestCase {
    func testContract() async throws {
        let folder = try TemporaryFolder()
        var stores: [SQLiteTeamStore] = []  // each check gets its own file; keep them open until the end
        await TeamStoreContract.run {
            let store = try SQLiteTeamStore(path: folder.path("contract-\(stores.count).sqlite"))
            stores.append(store)
            return store
        }
        stores.removeAll()
    }
}

/// A folder under the system's temporary folder, removed when released.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("teams-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
