// swift-tools-version:6.0
import PackageDescription

// The targets are the architecture: arrows point inwards, towards TeamsDomain and RPCCore.
//
//   teams-server ─┬─ TeamsService ─┬─ TeamsWire ─┬─ TeamsDomain (rules, use cases, ports; no dependencies)
//                 │                │             └─ TeamsProto (generated from proto/teams/v1) ─┬─ CTeamsProtobuf (protoc-c)
//                 │                └─ RPCCore (framing, envelope, status, calls, bridge; knows no team) ─┴─ CRPCProtobuf
//                 ├─ RPCTransportNIO (TCP) ── RPCCore, NIO          RPCTransportInProcess (tests) ── RPCCore
//                 ├─ TeamsMemoryStore ─┐   (both embedded stores search a TeamsSearchIndex in memory)
//                 ├─ TeamsSQLiteStore ─┼─ TeamsDomain
//                 ├─ TeamsDynamoDBStore┤   └─ AWSDynamoDB (HTTP client + SigV4; knows no teams)
//                 ├─ TeamsEventLog ────┘
//                 │    └─ TeamsLogLines (text and JSON log lines, and the one writer of stderr)
//                 └─ TeamsLogLines (the server's own logs, through swift-log)
//   teams (CLI) ── TeamsClient ── TeamsWire, TeamsProto, RPCCore, RPCTransportNIO
//   Both executables ── BuildInfo (version and git commit, recorded by Plugins/BuildInfoPlugin)
//   TeamsDomain, RPCCore, AWSDynamoDB, the CLI ── TeamsSupport (Backoff, SplitMix64: one of each, no dependencies)
let package = Package(
    name: "TeamService",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "teams-server", targets: ["TeamsServerMain"]),
        .executable(name: "teams", targets: ["TeamsCLI"]),
        .library(name: "TeamsDomain", targets: ["TeamsDomain"]),
        .library(name: "TeamsClient", targets: ["TeamsClient"]),
        // For Benchmarks/, which measures the same interactor, store and codec behind gRPC.
        .library(name: "TeamsWire", targets: ["TeamsWire"]),
        .library(name: "TeamsProto", targets: ["TeamsProto"]),
        .library(name: "RPCCore", targets: ["RPCCore"]),
        .library(name: "TeamsMemoryStore", targets: ["TeamsMemoryStore"]),
        .library(name: "TeamsSQLiteStore", targets: ["TeamsSQLiteStore"]),
        .library(name: "TeamsSupport", targets: ["TeamsSupport"]),
        // `make fuzz` builds it with -sanitize=fuzzer; otherwise it replays inputs given as files.
        .executable(name: "connection-fuzzer", targets: ["ConnectionFuzzer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // What --version and teams_build_info report.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        .target(name: "BuildInfo", plugins: ["BuildInfoPlugin"]),
        // Where the rules are: entities, validation, use cases and the ports they need.
        .target(name: "TeamsDomain", dependencies: ["TeamsSupport"]),
        // Small values every layer shares (backoff, a seeded random generator); depends on nothing.
        .target(name: "TeamsSupport"),

        // libprotobuf-c, the C runtime protoc-c's output links, found through pkg-config.
        // No unsafe flags anywhere a product reaches, so other packages can depend on ours by version.
        .systemLibrary(name: "CProtobufC", pkgConfig: "libprotobuf-c", providers: [.apt(["libprotobuf-c-dev"])]),
        // The generic RPC core: the arena allocator and the envelope's own messages, on libprotobuf-c.
        .target(name: "CRPCProtobuf", dependencies: ["CProtobufC"]),
        // Framing, the call envelope, status, the call model (method table, server and client
        // connections), typed method descriptors and the generic protoc-c bridge. Knows no team
        // and no socket: transports feed it bytes.
        .target(
            name: "RPCCore",
            dependencies: [
                "CRPCProtobuf", "TeamsSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // The TCP transport: RPCServer and RPCConnection.connect over NIO sockets, with TLS.
        .target(
            name: "RPCTransportNIO",
            dependencies: [
                "RPCCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // A transport without a network: a server and clients joined in memory, for tests.
        .target(
            name: "RPCTransportInProcess",
            dependencies: [
                "RPCCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The team messages: protoc-c output for proto/teams/v1 (generated, committed) ...
        .target(name: "CTeamsProtobuf", dependencies: ["CRPCProtobuf"]),
        // ... and its Swift side (generated, committed): message types bridged to the C structs,
        // method descriptors, client stubs and server protocols.
        .target(name: "TeamsProto", dependencies: ["CRPCProtobuf", "CTeamsProtobuf", "RPCCore"]),
        // The domain's values to and from the team messages.
        .target(name: "TeamsWire", dependencies: ["TeamsDomain", "TeamsProto", "RPCCore"]),

        // Where a call comes in: TeamService and Health handlers bound to the interactor.
        .target(
            name: "TeamsService",
            dependencies: ["TeamsDomain", "TeamsProto", "TeamsWire", "RPCCore", .product(name: "CoreMetrics", package: "swift-metrics")]
        ),
        // The typed async client used by the CLI, the tests, the benchmark and other
        // services: everything a caller needs is re-exported from this one product.
        .target(
            name: "TeamsClient",
            dependencies: ["TeamsSupport", "TeamsDomain", "TeamsProto", "TeamsWire", "RPCCore", "RPCTransportNIO"]
        ),

        // Where the data is stored: one adapter per store, each behind TeamRepository.
        // The name keys in memory that both embedded stores search.
        .target(name: "TeamsSearchIndex", dependencies: ["TeamsDomain"]),
        .target(name: "TeamsMemoryStore", dependencies: ["TeamsDomain", "TeamsSearchIndex"]),
        // A SQLite VFS over the default one that writes a commit's log frames as one write.
        .target(name: "CSQLiteWALWrites"),
        .target(
            name: "TeamsSQLiteStore",
            dependencies: [
                "TeamsDomain", "TeamsSearchIndex", "CSQLiteWALWrites", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // A hand-written DynamoDB client and SigV4 signer (Soto is not available). Knows no teams.
        .target(
            name: "AWSDynamoDB",
            dependencies: [
                "TeamsSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "TeamsDynamoDBStore",
            dependencies: [
                "TeamsDomain", "TeamsSupport", "AWSDynamoDB", .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // Log lines as the server writes them to stderr: text or JSON, and the one writer of stderr.
        .target(
            name: "TeamsLogLines",
            dependencies: ["TeamsSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // The default EventPublisher: one log line per domain event.
        .target(
            name: "TeamsEventLog",
            dependencies: ["TeamsDomain", "TeamsLogLines", .product(name: "Logging", package: "swift-log")]
        ),

        // The process edges.
        .executableTarget(
            name: "TeamsServerMain",
            dependencies: [
                "TeamsDomain", "RPCCore", "RPCTransportNIO", "TeamsService", "TeamsMemoryStore", "TeamsSQLiteStore",
                "TeamsDynamoDBStore", "TeamsEventLog", "TeamsLogLines", "TeamsSupport", "BuildInfo",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "TeamsCLI",
            dependencies: [
                "TeamsDomain", "TeamsClient", "TeamsProto", "TeamsWire", "RPCCore", "RPCTransportNIO", "BuildInfo", "TeamsSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),

        // Fuzzing what reads bytes from the network (Tests/Fuzz; see `make fuzz`).
        .target(
            name: "ConnectionFuzzing",
            dependencies: [
                "RPCCore", "TeamsProto", "TeamsService", "TeamsDomain", "TeamsMemoryStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Fuzz/Harness"
        ),
        // libFuzzer brings its own main under -DFUZZING; with no main.swift, SwiftPM
        // compiles the one file as a library, so it needs no @main then.
        .executableTarget(name: "ConnectionFuzzer", dependencies: ["ConnectionFuzzing"], path: "Tests/Fuzz/Target"),
        .testTarget(name: "FuzzCorpusTests", dependencies: ["ConnectionFuzzing"], path: "Tests/Fuzz/RegressionTests"),

        // The Swift client's runner of the scenarios every shipped client passes (clients/conformance).
        .executableTarget(name: "TeamsConformance", dependencies: ["TeamsClient"], path: "Tests/ClientConformance"),

        // Shared by the test targets: the store contract suite, moto_server, temporary folders.
        .target(name: "TeamsTestSupport", dependencies: ["TeamsDomain"], path: "Tests/TeamsTestSupport"),
        .testTarget(name: "TeamsDomainTests", dependencies: ["TeamsDomain", "TeamsMemoryStore"]),
        .testTarget(name: "TeamsSupportTests", dependencies: ["TeamsSupport"]),
        .testTarget(name: "TeamsSearchIndexTests", dependencies: ["TeamsSearchIndex", "TeamsDomain", "TeamsSupport"]),
        .testTarget(
            name: "RPCCoreTests",
            dependencies: [
                "RPCCore", "TeamsProto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RPCTransportNIOTests",
            dependencies: [
                "RPCCore", "RPCTransportNIO", "TeamsProto",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RPCTransportInProcessTests",
            dependencies: ["RPCCore", "RPCTransportInProcess", "TeamsProto", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(name: "TeamsProtoTests", dependencies: ["TeamsProto", "RPCCore", "TeamsSupport", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "TeamsWireTests", dependencies: ["TeamsWire", "TeamsProto", "TeamsDomain", "RPCCore"]),
        .testTarget(
            name: "TeamsServiceTests",
            dependencies: [
                "TeamsService", "TeamsClient", "TeamsDomain", "TeamsMemoryStore", "TeamsProto", "RPCCore", "RPCTransportInProcess",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "TeamsCLITests",
            dependencies: [
                "TeamsCLI", "RPCCore", "TeamsProto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "TeamsClientTests",
            dependencies: ["TeamsClient", "TeamsService", "TeamsDomain", "TeamsMemoryStore", "RPCCore", "RPCTransportInProcess"]
        ),
        .testTarget(
            name: "TeamsEventLogTests",
            dependencies: ["TeamsEventLog", "TeamsLogLines", "TeamsDomain", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "TeamsLogLinesTests",
            dependencies: ["TeamsLogLines", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "TeamsStoreTests",
            dependencies: [
                "TeamsDomain", "TeamsMemoryStore", "TeamsSQLiteStore", "TeamsSearchIndex", "TeamsTestSupport", "CSQLiteWALWrites",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "AWSDynamoDBTests",
            dependencies: [
                "AWSDynamoDB", "TeamsTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            // Read through #filePath: the botocore script and its committed output.
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "TeamsDynamoDBStoreTests",
            dependencies: ["TeamsDomain", "TeamsDynamoDBStore", "AWSDynamoDB", "TeamsTestSupport"]
        ),
        .testTarget(
            name: "TeamsEndToEndTests",
            dependencies: [
                "TeamsDomain", "TeamsService", "TeamsClient", "TeamsProto", "TeamsWire", "RPCCore", "RPCTransportNIO",
                "TeamsMemoryStore", "TeamsSQLiteStore", "TeamsEventLog", "TeamsTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
    ]
)
