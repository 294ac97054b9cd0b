import Logging
import RPCTransportNIO

/// The settings `teams-server` runs with, each resolved from its flag, else its
/// environment variable, else its default (`ServerOptions`), and all valid.
struct ServerSettings: Sendable {
    var host: String
    var port: Int
    var store: StoreChoice
    var noCreateTable: Bool
    var cacheMB: Int
    var maxFrameBytes: UInt32
    var logLevel: Logger.Level
    var logFormat: LogFormat
    var accessLog: Bool
    var metricsPort: Int?
    var metricsHost: String
    var eventRetentionDays: Double
    var threads: Int
    var maxConnections: Int
    var maxCallsPerConnection: Int
    var idleTimeout: Duration
    var frameReadTimeout: Duration
    var drainTimeout: Duration
    var minPingInterval: Duration
    var tlsCert: String?
    var tlsKey: String?
    var tlsClientCA: String?
    var tlsHandshakeTimeout: Duration
    var authTokens: String?
    var allowInsecure: Bool

    /// TLS when a certificate and key are given, mutual TLS with a client CA.
    var tls: ServerTLS? {
        guard let tlsCert, let tlsKey else { return nil }
        var tls = ServerTLS(certificateChainFile: tlsCert, privateKeyFile: tlsKey, clientCAFile: tlsClientCA)
        tls.handshakeTimeout = tlsHandshakeTimeout
        return tls
    }

    /// Callers are authenticated with a tokens file or client certificates.
    var authenticatesCallers: Bool { authTokens != nil || tlsClientCA != nil }

    /// The rules between settings: TLS needs both files; a client CA needs TLS; a
    /// non-loopback address needs TLS or authentication unless --allow-insecure.
    func validate() throws(ConfigurationError) {
        if (tlsCert == nil) != (tlsKey == nil) {
            throw .unusable("--tls-cert and --tls-key (TEAMS_TLS_CERT, TEAMS_TLS_KEY) go together; only one is set")
        }
        if tlsClientCA != nil, tlsCert == nil {
            throw .unusable("--tls-client-ca (TEAMS_TLS_CLIENT_CA) needs --tls-cert and --tls-key")
        }
        if !Self.isLoopback(host), tls == nil, !authenticatesCallers, !allowInsecure {
            throw .unusable(
                "refusing to serve \(host) without TLS or authentication: set --tls-cert and --tls-key, or --auth-tokens, or pass --allow-insecure")
        }
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// The RPC server's part.
    var rpcConfiguration: RPCServer.Configuration {
        var configuration = RPCServer.Configuration(host: host, port: port, maximumFrameLength: maxFrameBytes)
        configuration.maximumConnections = maxConnections
        configuration.maximumCallsPerConnection = maxCallsPerConnection
        configuration.idleTimeout = idleTimeout
        configuration.frameReadTimeout = frameReadTimeout
        configuration.drainTimeout = drainTimeout
        configuration.minimumPingInterval = minPingInterval
        configuration.tls = tls
        configuration.logsEveryCall = accessLog
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
            entry(ServerOptions.cacheMB, cacheMB),
            entry(ServerOptions.maxFrameBytes, maxFrameBytes),
            entry(ServerOptions.logLevel, logLevel),
            entry(ServerOptions.logFormat, logFormat),
            entry(ServerOptions.accessLog, accessLog),
            entry(ServerOptions.metricsPort, metricsPort),
            entry(ServerOptions.metricsHost, metricsHost),
            entry(ServerOptions.eventRetentionDays, eventRetentionDays),
            entry(ServerOptions.threads, threads),
            entry(ServerOptions.maxConnections, maxConnections),
            entry(ServerOptions.maxCallsPerConnection, maxCallsPerConnection),
            entry(ServerOptions.idleTimeout, idleTimeout),
            entry(ServerOptions.frameReadTimeout, frameReadTimeout),
            entry(ServerOptions.drainTimeout, drainTimeout),
            entry(ServerOptions.minPingInterval, minPingInterval),
            entry(ServerOptions.tlsCert, tlsCert),
            entry(ServerOptions.tlsClientCA, tlsClientCA),
            entry(ServerOptions.authTokens, authTokens),
        ]
        return Logger.Metadata(uniqueKeysWithValues: entries)
    }
}
