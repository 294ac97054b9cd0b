import Logging
import TeamsLogLines
import NIOCore
import RPCCore

/// Every setting of `teams-server`, each with its flag, environment variable,
/// default and accepted values: the one place they are written down. The command's
/// `@Option`s, their help, the resolution and the start-up log line all read them.
enum ServerOptions {
    static let host = Setting<String>(
        name: "host", environmentVariable: "TEAMS_HOST", summary: "Address to listen on",
        defaultValue: "127.0.0.1", parser: .host)

    static let port = Setting<Int>(
        name: "port", environmentVariable: "TEAMS_PORT", summary: "Port to listen on; 0 picks a free one",
        defaultValue: 7070, parser: .port)

    static let store = Setting<StoreChoice>(
        name: "store", environmentVariable: "TEAMS_STORE",
        summary: "Where teams are stored: sqlite:PATH (durable), dynamodb:TABLE (shared by many servers) or memory",
        defaultValue: .default, parser: .store)

    /// A flag without a value on the command line; the variable takes a boolean.
    static let noCreateTable = Setting<Bool>(
        name: "no-create-table", environmentVariable: "TEAMS_NO_CREATE_TABLE",
        summary: "Do not create the DynamoDB table; fail start-up if it is missing (the variable takes 1, true, yes, 0, false or no)",
        defaultValue: false, defaultDescription: "off", parser: .boolean)

    static let cacheMB = Setting<Int>(
        name: "cache-mb", environmentVariable: "TEAMS_CACHE_MB",
        summary: "SQLite: keep up to this many MiB of teams in memory for reads, least recently used evicted first; 0 reads every team from disk (0 to 1048576)",
        defaultValue: 64, parser: .wholeNumber(in: 0...1_048_576))

    static let maxFrameBytes = Setting<UInt32>(
        name: "max-frame-bytes", environmentVariable: "TEAMS_MAX_FRAME_BYTES",
        summary: "Largest request frame accepted, in bytes (1024 to 1073741824)",
        defaultValue: FrameDecoder.defaultMaximumFrameLength, parser: .byteCount(in: 1_024...(1 << 30)))

    static let logLevel = Setting<Logger.Level>(
        name: "log-level", environmentVariable: "TEAMS_LOG_LEVEL",
        summary: "trace, debug, info, notice, warning, error or critical",
        defaultValue: .info, parser: .logLevel)

    static let logFormat = Setting<LogFormat>(
        name: "log-format", environmentVariable: "TEAMS_LOG_FORMAT",
        summary: "text (one readable line per entry) or json (one JSON object per line, fixed field names)",
        defaultValue: .text, parser: .logFormat)

    /// A flag without a value on the command line; the variable takes a boolean.
    static let accessLog = Setting<Bool>(
        name: "access-log", environmentVariable: "TEAMS_ACCESS_LOG",
        summary: "Log one line per call at info: method, status, duration, request id, traceparent (the variable takes 1, true, yes, 0, false or no)",
        defaultValue: false, defaultDescription: "off", parser: .boolean)

    static let metricsPort = Setting<Int?>(
        name: "metrics-port", environmentVariable: "TEAMS_METRICS_PORT",
        summary: "Serve Prometheus metrics at http://HOST:PORT/metrics (0 picks a free port); off when unset",
        defaultValue: nil, parser: .optionalPort)

    static let metricsHost = Setting<String>(
        name: "metrics-host", environmentVariable: "TEAMS_METRICS_HOST", summary: "Address the metrics endpoint listens on",
        defaultValue: "127.0.0.1", parser: .host)

    static let metricsMaxConnections = Setting<Int>(
        name: "metrics-max-connections", environmentVariable: "TEAMS_METRICS_MAX_CONNECTIONS",
        summary: "Open connections to the metrics endpoint at most; one more is closed at once (1 to 1024)",
        defaultValue: 16, parser: .wholeNumber(in: 1...1_024))

    static let metricsIdleTimeout = Setting<Duration>(
        name: "metrics-idle-timeout", environmentVariable: "TEAMS_METRICS_IDLE_TIMEOUT",
        summary: "Close a metrics connection that sends nothing for this long, e.g. 30s; more than 0",
        defaultValue: .seconds(30), parser: .duration(zero: nil))

    static let eventRetentionDays = Setting<Double>(
        name: "event-retention-days", environmentVariable: "TEAMS_EVENT_RETENTION_DAYS",
        summary: "Days to keep events for WatchEvents (more than 0, at most 3650)",
        defaultValue: 7, parser: .days(atMost: 3_650))

    static let threads = Setting<Int>(
        name: "threads", environmentVariable: "TEAMS_THREADS", summary: "Event loop threads (1 to 256)",
        defaultValue: System.coreCount, defaultDescription: "one per core", parser: .wholeNumber(in: 1...256))

    static let maxConnections = Setting<Int>(
        name: "max-connections", environmentVariable: "TEAMS_MAX_CONNECTIONS",
        summary: "Open connections at most; one more gets GOAWAY UNAVAILABLE and is closed (1 to 1000000; each takes a file descriptor, so it must fit the process's limit, ulimit -n)",
        defaultValue: 10_000, parser: .wholeNumber(in: 1...1_000_000))

    static let maxCallsPerConnection = Setting<Int>(
        name: "max-calls-per-connection", environmentVariable: "TEAMS_MAX_CALLS_PER_CONNECTION",
        summary: "Calls in flight on one connection at most; one more gets RESOURCE_EXHAUSTED (1 to 1000000)",
        defaultValue: 1_000, parser: .wholeNumber(in: 1...1_000_000))

    static let idleTimeout = Setting<Duration>(
        name: "idle-timeout", environmentVariable: "TEAMS_IDLE_TIMEOUT",
        summary: "Close a connection with no call in flight and nothing read for this long, e.g. 90s or 15m; 0 disables",
        defaultValue: .seconds(15 * 60), parser: .duration(zero: "disable"))

    static let frameReadTimeout = Setting<Duration>(
        name: "frame-read-timeout", environmentVariable: "TEAMS_FRAME_READ_TIMEOUT",
        summary: "A frame begun must arrive in full within this, else the connection is closed, e.g. 20s; more than 0",
        defaultValue: .seconds(20), parser: .duration(zero: nil))

    static let drainTimeout = Setting<Duration>(
        name: "drain-timeout", environmentVariable: "TEAMS_DRAIN_TIMEOUT",
        summary: "On SIGINT or SIGTERM, how long calls in flight may run before they are answered UNAVAILABLE; 0 does it at once",
        defaultValue: .seconds(30), parser: .duration(zero: "end calls in flight at once"))

    static let minPingInterval = Setting<Duration>(
        name: "min-ping-interval", environmentVariable: "TEAMS_MIN_PING_INTERVAL",
        summary: "PINGs closer together than this are strikes, and the third in a row closes the connection; 0 allows any rate",
        defaultValue: .seconds(10), parser: .duration(zero: "allow pings at any rate"))

    static let tlsCert = Setting<String?>(
        name: "tls-cert", environmentVariable: "TEAMS_TLS_CERT",
        summary: "PEM certificate chain to serve TLS with, with --tls-key", defaultValue: nil, parser: .readableFile)

    static let tlsKey = Setting<String?>(
        name: "tls-key", environmentVariable: "TEAMS_TLS_KEY",
        summary: "PEM private key of --tls-cert", defaultValue: nil, parser: .readableFile)

    static let tlsClientCA = Setting<String?>(
        name: "tls-client-ca", environmentVariable: "TEAMS_TLS_CLIENT_CA",
        summary: "PEM CA that client certificates must chain to (mutual TLS; needs --tls-cert)", defaultValue: nil, parser: .readableFile)

    static let tlsHandshakeTimeout = Setting<Duration>(
        name: "tls-handshake-timeout", environmentVariable: "TEAMS_TLS_HANDSHAKE_TIMEOUT",
        summary: "A TLS handshake not done within this is cut off; more than 0",
        defaultValue: .seconds(10), parser: .duration(zero: nil))

    static let authTimeout = Setting<Duration>(
        name: "auth-timeout", environmentVariable: "TEAMS_AUTH_TIMEOUT",
        summary: "With --auth-tokens or --tls-client-ca, close a connection that has not authenticated within this (GOAWAY UNAUTHENTICATED), e.g. 10s; more than 0",
        defaultValue: .seconds(10), parser: .duration(zero: nil))

    static let authTokens = Setting<String?>(
        name: "auth-tokens", environmentVariable: "TEAMS_AUTH_TOKENS",
        summary: "Callers, one per line: NAME ROLE SHA256-OF-TOKEN (ROLE reader or writer); re-read on SIGHUP",
        defaultValue: nil, parser: .readableFile)

    /// A flag without a value on the command line; the variable takes a boolean.
    static let allowInsecure = Setting<Bool>(
        name: "allow-insecure", environmentVariable: "TEAMS_ALLOW_INSECURE",
        summary: "Serve a non-loopback address without TLS or authentication (the variable takes 1, true, yes, 0, false or no)",
        defaultValue: false, defaultDescription: "off", parser: .boolean)
}
