import Foundation
import Logging
import NIOCore
import RPCTransportNIO
import TeamsLogLines

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
    var metricsMaxConnections: Int
    var metricsIdleTimeout: Duration
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
    var authTimeout: Duration
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

    /// Whether `host` resolves to a loopback address (127.0.0.0/8, ::1, or ::ffff:127.0.0.0/104)
    /// as NIO resolves it to bind; false for a name that does not resolve. The text of
    /// a name proves nothing: `127.example.com` may resolve anywhere.
    static func isLoopback(_ host: String) -> Bool {
        guard let address = try? SocketAddress.makeAddressResolvingHost(host, port: 0), let ip = address.ipAddress else { return false }
        switch address.protocol {
        case .inet: return ip.hasPrefix("127.")
        case .inet6: return ip == "::1" || ip.lowercased().hasPrefix("::ffff:127.")
        default: return false
        }
    }

    /// File descriptors the process needs besides its client connections: listeners,
    /// the store's files, stdio, the event loops' own.
    static let reservedFileDescriptors = 64

    /// Raises the soft limit on open files to the hard one, then checks that every
    /// connection allowed (RPC and metrics) fits in it.
    /// - Throws: `ConfigurationError.unusable` naming both numbers when they do not fit.
    func fitFileDescriptorLimit() throws(ConfigurationError) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let needed = maxConnections + (metricsPort == nil ? 0 : metricsMaxConnections) + Self.reservedFileDescriptors
        guard limit.rlim_cur == rlim_t.max || UInt64(needed) <= UInt64(limit.rlim_cur) else {
            throw .unusable(
                "--max-connections \(maxConnections) needs \(needed) file descriptors (with \(Self.reservedFileDescriptors) for the process"
                    + (metricsPort == nil ? "" : " and \(metricsMaxConnections) for metrics") + "), but the limit is \(limit.rlim_cur) (ulimit -n): lower --max-connections or raise the limit")
        }
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
        configuration.authenticationTimeout = authTimeout
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
            entry(ServerOptions.metricsMaxConnections, metricsMaxConnections),
            entry(ServerOptions.metricsIdleTimeout, metricsIdleTimeout),
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
            entry(ServerOptions.authTimeout, authTimeout),
            entry(ServerOptions.authTokens, authTokens),
        ]
        return Logger.Metadata(uniqueKeysWithValues: entries)
    }
}
