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
