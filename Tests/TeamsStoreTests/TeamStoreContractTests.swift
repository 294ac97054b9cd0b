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

/// The contract again with the read cache on: large enough for everything, and
/// so small that it evicts all the time.
final class SQLiteCachedTeamStoreContractTests: XCTestCase {
    func testContractWithACacheForEverything() async throws {
        try await runContract(cacheBytes: 64 << 20)
    }

    func testContractWithACacheThatKeepsEvicting() async throws {
        try await runContract(cacheBytes: 600)
    }

    private func runContract(cacheBytes: Int) async throws {
        let folder = try TemporaryFolder()
        var stores: [SQLiteTeamStore] = []
        await TeamStoreContract.run {
            let store = try SQLiteTeamStore(path: folder.path("contract-\(stores.count).sqlite"), cacheBytes: cacheBytes)
            stores.append(store)
            return store
        }
        stores.removeAll()
    }
}
