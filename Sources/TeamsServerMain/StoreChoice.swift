import ArgumentParser
import Logging
import ServiceLifecycle
import TeamsDomain
import TeamsMemoryStore
import TeamsService

/// The store named by `--store` / `TEAMS_STORE`.
enum StoreChoice: ExpressibleByArgument, CustomStringConvertible, Sendable {
    case memory

    static let `default` = StoreChoice.memory

    init?(argument: String) {
        switch argument {
        case "memory": self = .memory
        default: return nil
        }
    }

    var description: String {
        switch self {
        case .memory: "memory"
        }
    }

    func open(logger: Logger) async throws -> OpenedStore {
        switch self {
        case .memory:
            return OpenedStore(repository: InMemoryTeamRepository(), events: nil, services: [])
        }
    }
}

/// A store ready for use: the repository, its event feed, and any background work it needs.
struct OpenedStore {
    var repository: any TeamRepository
    var events: (any EventFeed)?
    var services: [any Service]
}
