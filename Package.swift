// swift-tools-version:6.0
import PackageDescription

// The targets are the architecture: arrows point inwards, towards TeamsDomain.
//
//   teams-server ─┬─ TeamsService ─┬─ TeamsRPC ── NIO
//                 │                └─ TeamsWire ── CTeamsProtobuf (protoc-c output, libprotobuf-c)
//                 ├─ TeamsMemoryStore ─┐
//                 ├─ TeamsSQLiteStore ─┼─ TeamsDomain (rules, use cases, ports; no dependencies)
//                 ├─ TeamsDynamoDBStore┤   └─ AWSDynamoDB (HTTP client + SigV4; knows no teams)
//                 └─ TeamsEventLog ────┘
//   teams (CLI) ── TeamsClient ── TeamsRPC, TeamsWire
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
        .library(name: "TeamsMemoryStore", targets: ["TeamsMemoryStore"]),
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
    ],
    targets: [
        // Where the rules are: entities, validation, use cases and the ports they need.
        .target(name: "TeamsDomain"),

        // The wire: protoc-c output for proto/ (generated, committed) and its arena allocator.
        .target(
            name: "CTeamsProtobuf",
            cSettings: [.unsafeFlags(["-Wno-deprecated-declarations"])],
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),
        // The bridge: protoc-c structs <-> Swift values. The only code that touches C pointers.
        .target(
            name: "TeamsWire",
            dependencies: [
                "CTeamsProtobuf",
                "TeamsDomain",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Framing, the call envelope, the NIO server and client. Knows no team.
        .target(
            name: "TeamsRPC",
            dependencies: [
                "TeamsWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Where a call comes in: TeamService and Health methods bound to the interactor.
        .target(
            name: "TeamsService",
            dependencies: ["TeamsDomain", "TeamsWire", "TeamsRPC"]
        ),
        // The typed async client used by the CLI, the tests and the benchmark.
        .target(
            name: "TeamsClient",
            dependencies: ["TeamsDomain", "TeamsWire", "TeamsRPC"]
        ),

        // Where the data is stored: one adapter per store, each behind TeamRepository.
        .target(name: "TeamsMemoryStore", dependencies: ["TeamsDomain"]),
        .target(
            name: "TeamsSQLiteStore",
            dependencies: ["TeamsDomain", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // A hand-written DynamoDB client and SigV4 signer (Soto is not available). Knows no teams.
        .target(
            name: "AWSDynamoDB",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "TeamsDynamoDBStore",
            dependencies: ["TeamsDomain", "AWSDynamoDB", .product(name: "Logging", package: "swift-log")]
        ),
        // The default EventPublisher: one structured log line per domain event.
        .target(
            name: "TeamsEventLog",
            dependencies: ["TeamsDomain", .product(name: "Logging", package: "swift-log")]
        ),

        // The process edges.
        .executableTarget(
            name: "TeamsServerMain",
            dependencies: [
                "TeamsDomain", "TeamsRPC", "TeamsService", "TeamsMemoryStore", "TeamsSQLiteStore", "TeamsDynamoDBStore",
                "TeamsEventLog",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "TeamsCLI",
            dependencies: [
                "TeamsDomain", "TeamsClient", "TeamsRPC",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),

        // Shared by the test targets: the store contract suite, moto_server, temporary folders.
        .target(name: "TeamsTestSupport", dependencies: ["TeamsDomain"], path: "Tests/TeamsTestSupport"),
        .testTarget(name: "TeamsDomainTests", dependencies: ["TeamsDomain", "TeamsMemoryStore"]),
        .testTarget(name: "TeamsWireTests", dependencies: ["TeamsWire", "TeamsDomain"]),
        .testTarget(
            name: "TeamsRPCTests",
            dependencies: [
                "TeamsRPC", "TeamsWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "TeamsStoreTests",
            dependencies: ["TeamsDomain", "TeamsMemoryStore", "TeamsSQLiteStore", "TeamsTestSupport"]
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
                "TeamsDomain", "TeamsService", "TeamsClient", "TeamsRPC", "TeamsWire",
                "TeamsMemoryStore", "TeamsSQLiteStore", "TeamsEventLog", "TeamsTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
