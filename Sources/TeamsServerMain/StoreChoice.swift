import ArgumentParser
import Logging
import RPCCore
import TeamsDomain
import TeamsDynamoDBStore
import TeamsMemoryStore
import TeamsSQLiteStore

/// The store named by `--store` / `TEAMS_STORE`: `memory`, `sqlite:PATH` or `dynamodb:TABLE`.
enum StoreChoice: ExpressibleByArgument, CustomStringConvertible, Sendable {
    case memory
    case sqlite(path: String)
    /// A DynamoDB table, reached with the AWS SDK environment variables
    /// (`AWS_REGION`, credentials, `AWS_ENDPOINT_URL_DYNAMODB`).
    case dynamodb(table: String)

    static let `default` = StoreChoice.sqlite(path: "data/teams.sqlite")

    init?(argument: String) {
        if argument == "memory" {
            self = .memory
        } else if argument.hasPrefix("sqlite:"), argument.count > "sqlite:".count {
            self = .sqlite(path: String(argument.dropFirst("sqlite:".count)))
        } else if argument.hasPrefix("dynamodb:"), Self.isTableName(argument.dropFirst("dynamodb:".count)) {
            self = .dynamodb(table: String(argument.dropFirst("dynamodb:".count)))
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .memory: "memory"
        case .sqlite(let path): "sqlite:\(path)"
        case .dynamodb(let table): "dynamodb:\(table)"
        }
    }

    /// The kind alone, for metric labels.
    var kind: String {
        switch self {
        case .memory: "memory"
        case .sqlite: "sqlite"
        case .dynamodb: "dynamodb"
        }
    }

    /// Whether other servers may write the store too, so changes must be polled for.
    /// SQLite is locked by one server, and memory is the process's own.
    var isSharedByServers: Bool {
        if case .dynamodb = self { true } else { false }
    }

    static var allValueStrings: [String] { ["memory", "sqlite:PATH", "dynamodb:TABLE"] }

    /// DynamoDB's rule: 3 to 255 of `a-z A-Z 0-9 _ - .`, less the suffix of the
    /// store's index table (`-names`).
    private static func isTableName(_ name: Substring) -> Bool {
        (3...249).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }
    }

    /// Opens the store. `createTable` (the default; `--no-create-table` turns it off)
    /// lets the DynamoDB store create its table when missing; without it a missing
    /// table stops start-up. `cacheBytes` bounds the SQLite store's cache of teams (0: none).
    /// - Throws: an error whose description is one line naming the store and the cause.
    func open(createTable: Bool = true, cacheBytes: Int = 0) async throws -> any TeamStore {
        switch self {
        case .memory: InMemoryTeamRepository()
        case .sqlite(let path): try SQLiteTeamStore(path: path, cacheBytes: cacheBytes, logger: Logger(label: "teams.sqlite"))
        case .dynamodb(let table):
            // Each request to DynamoDB carries the trace context of the call it serves.
            try await DynamoDBTeamStore.open(tableName: table, createTable: createTable, logger: Logger(label: "teams.dynamodb")) {
                TraceContext.traceParent.map { [(name: TraceContext.metadataKey, value: $0)] } ?? []
            }
        }
    }
}
