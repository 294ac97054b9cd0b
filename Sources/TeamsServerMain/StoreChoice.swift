import ArgumentParser
import Logging
import TeamsDomain
import TeamsMemoryStore
import TeamsSQLiteStore

/// The store named by `--store` / `TEAMS_STORE`: `memory` or `sqlite:PATH`.
enum StoreChoice: ExpressibleByArgument, CustomStringConvertible, Sendable {
    case memory
    case sqlite(path: String)

    static let `default` = StoreChoice.sqlite(path: "data/teams.sqlite")

    init?(argument: String) {
        if argument == "memory" {
            self = .memory
        } else if argument.hasPrefix("sqlite:"), argument.count > "sqlite:".count {
            self = .sqlite(path: String(argument.dropFirst("sqlite:".count)))
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .memory: "memory"
        case .sqlite(let path): "sqlite:\(path)"
        }
    }

    static var allValueStrings: [String] { ["memory", "sqlite:PATH"] }

    func open() throws -> any TeamStore {
        switch self {
        case .memory: InMemoryTeamRepository()
        case .sqlite(let path): try SQLiteTeamStore(path: path)
        }
    }
}
