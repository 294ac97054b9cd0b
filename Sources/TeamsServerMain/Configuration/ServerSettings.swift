import Logging
import RPCTransportNIO

/// The settings `teams-server` runs with, each resolved from its flag, else its
/// environment variable, else its default (`ServerOptions`), and all valid.
struct ServerSettings: Sendable {
    var host: String
    var port: Int
    var store: StoreChoice
    var noCreateTable: Bool
    var maxFrameBytes: UInt32
    var logLevel: Logger.Level
    var eventRetentionDays: Double
    var threads: Int
    var maxConnections: Int
    var maxCallsPerConnection: Int
    var idleTimeout: Duration
    var frameReadTimeout: Duration
    var drainTimeout: Duration
    var minPingInterval: Duration

    /// The RPC server's part.
    var rpcConfiguration: RPCServer.Configuration {
        var configuration = RPCServer.Configuration(host: host, port: port, maximumFrameLength: maxFrameBytes)
        configuration.maximumConnections = maxConnections
        configuration.maximumCallsPerConnection = maxCallsPerConnection
        configuration.idleTimeout = idleTimeout
        configuration.frameReadTimeout = frameReadTimeout
        configuration.drainTimeout = drainTimeout
        configuration.minimumPingInterval = minPingInterval
        return configuration
    }

    /// Every setting but the address (logged as the bound one), keyed by its flag's
    /// name in snake case (`max_frame_bytes`) and written as its flag takes it.
    var logMetadata: Logger.Metadata {
        func entry<Value: Sendable>(_ setting: Setting<Value>, _ value: Value) -> (String, Logger.MetadataValue) {
            (String(setting.name.map { $0 == "-" ? "_" : $0 }), .string(setting.parser.format(value)))
        }
        let entries: [(String, Logger.MetadataValue)] = [
            entry(ServerOptions.store, store),
            entry(ServerOptions.noCreateTable, noCreateTable),
            entry(ServerOptions.maxFrameBytes, maxFrameBytes),
            entry(ServerOptions.logLevel, logLevel),
            entry(ServerOptions.eventRetentionDays, eventRetentionDays),
            entry(ServerOptions.threads, threads),
            entry(ServerOptions.maxConnections, maxConnections),
            entry(ServerOptions.maxCallsPerConnection, maxCallsPerConnection),
            entry(ServerOptions.idleTimeout, idleTimeout),
            entry(ServerOptions.frameReadTimeout, frameReadTimeout),
            entry(ServerOptions.drainTimeout, drainTimeout),
            entry(ServerOptions.minPingInterval, minPingInterval),
        ]
        return Logger.Metadata(uniqueKeysWithValues: entries)
    }
}
