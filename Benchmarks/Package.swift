// swift-tools-version:6.0
import PackageDescription

// The gRPC baseline for `teams bench` (issue 5). A separate package, so `make test`
// and CI never build gRPC. It serves `teams.v1.TeamService` through grpc-swift-2 and
// grpc-swift-nio-transport with the SAME interactor, in-memory store, generated messages
// and protoc-c codec as `teams-server`, so the only difference measured is the RPC layer.
//
//   grpc-teams-server ─┬─ GRPCTeamsShared ── GRPCCore, TeamsProto (generated messages and method
//                      │                     descriptors), RPCCore (protoc-c codec), TeamsDomain, NIOCore
//                      ├─ TeamsWire (domain <-> messages), TeamsDomain, TeamsMemoryStore, TeamsSQLiteStore
//                      └─ GRPCNIOTransportHTTP2, NIOPosix
//   grpc-teams-bench ──┬─ GRPCTeamsShared
//                      ├─ TeamsWire, TeamsProto, RPCCore, TeamsDomain
//                      └─ GRPCNIOTransportHTTP2, Histogram
let package = Package(
    name: "TeamServiceBenchmarks",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "grpc-teams-server", targets: ["GRPCTeamsServer"]),
        .executable(name: "grpc-teams-bench", targets: ["GRPCTeamsBench"]),
    ],
    dependencies: [
        .package(name: "TeamService", path: ".."),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        // Already in the graph (RPCCore, grpc-swift-nio-transport); named for NIOCore and NIOPosix.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // The service for GRPCCore: method descriptors made from the generated ones, the codec
        // and the status names.
        .target(
            name: "GRPCTeamsShared",
            dependencies: [
                .product(name: "TeamsDomain", package: "TeamService"),
                .product(name: "TeamsProto", package: "TeamService"),
                .product(name: "RPCCore", package: "TeamService"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "GRPCTeamsServer",
            dependencies: [
                "GRPCTeamsShared",
                .product(name: "TeamsDomain", package: "TeamService"),
                .product(name: "TeamsProto", package: "TeamService"),
                .product(name: "TeamsWire", package: "TeamService"),
                .product(name: "RPCCore", package: "TeamService"),
                .product(name: "TeamsMemoryStore", package: "TeamService"),
                .product(name: "TeamsSQLiteStore", package: "TeamService"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "GRPCTeamsBench",
            dependencies: [
                "GRPCTeamsShared",
                .product(name: "TeamsSupport", package: "TeamService"),
                .product(name: "TeamsDomain", package: "TeamService"),
                .product(name: "TeamsProto", package: "TeamService"),
                .product(name: "TeamsWire", package: "TeamService"),
                .product(name: "RPCCore", package: "TeamService"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
    ]
)
