import Foundation
import TeamsDomain
import TeamsMemoryStore
import TeamsSQLiteStore
import TeamsTestSupport
import XCTest

final class InMemoryTeamStoreContractTests: XCTestCase {
    func testContract() async {
        await TeamStoreContract.run { InMemoryTeamRepository() }
    }
}

final class SQLiteTeamStoreContractTests: XCTestCase {
    func testContract() async throws {
        try await runSQLiteContract { path in try SQLiteTeamStore(path: path) }
    }

}

/// The contract again with the read cache on: large enough for everything, and
/// so small that it evicts all the time.
final class SQLiteCachedTeamStoreContractTests: XCTestCase {
    func testContractWithACacheForEverything() async throws {
        try await runSQLiteContract { path in try SQLiteTeamStore(path: path, cacheBytes: 64 << 20) }
    }

    func testContractWithACacheThatKeepsEvicting() async throws {
        try await runSQLiteContract { path in try SQLiteTeamStore(path: path, cacheBytes: 600) }
    }
}

/// Runs the contract on stores that `open` makes, each in a file of its own; all
/// stay open until the end, as their lock files must.
private func runSQLiteContract(_ open: @escaping (String) throws -> SQLiteTeamStore) async throws {
    let folder = try TemporaryFolder()
    var stores: [SQLiteTeamStore] = []
    await TeamStoreContract.run {
        let store = try open(folder.path("contract-\(stores.count).sqlite"))
        stores.append(store)
        return store
    }
    stores.removeAll()
}
