// What a caller of `TeamsClient` needs, reachable from the one product: a service
// that depends on `TeamsClient` imports that module alone.

// The domain's values the client returns: Team, Player, Position, TeamID, TeamEvent.
@_exported import TeamsDomain

// Where to connect, how, and with what credentials and deadlines.
@_exported import struct RPCCore.Endpoint
@_exported import struct RPCCore.ClientConfiguration
@_exported import struct RPCCore.CallOptions
@_exported import struct RPCCore.Metadata
@_exported import struct TeamsSupport.Backoff
@_exported import struct RPCTransportNIO.ClientTLS

// What a failed call throws.
@_exported import struct RPCCore.RPCError
@_exported import enum RPCCore.StatusCode
