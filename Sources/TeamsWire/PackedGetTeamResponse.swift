import RPCCore
import TeamsDomain
import TeamsProto

/// A `teams.v1.GetTeamResponse` packed straight from the domain's `Team`.
///
/// The bytes are the ones `Teams_V1_GetTeamResponse(team: Teams_V1_Team(team))`
/// packs, without building that message first: no array of players, no String for
/// the id's text, no retain of every name. GetTeam answers with it because that
/// copy was a fifth of the call.
public struct PackedGetTeamResponse: PackedEncoding {
    public typealias Message = Teams_V1_GetTeamResponse

    @usableFromInline let team: Team
    /// The length of the team field, worked out once: it is written before the fields.
    @usableFromInline let teamLength: Int

    @inlinable
    public init(_ team: Team) {
        self.team = team
        var length = ProtobufSize.delimited(1, TeamID.encodedLength)
            + ProtobufSize.string(2, team.name)
            + ProtobufSize.varint(4, team.version)
        for index in team.players.indices {
            length += ProtobufSize.delimited(3, Self.length(of: team.players[index]))
        }
        teamLength = length
    }

    @inlinable
    public var packedSize: Int { ProtobufSize.delimited(1, teamLength) }

    @inlinable
    public func pack(into writer: inout ProtobufWriter) {
        writer.messageHeader(1, length: teamLength)
        team.id.withUTF8 { writer.string(1, utf8: $0) }
        writer.string(2, team.name)
        // By index, so no player is copied out (a retain and release of its name).
        for index in team.players.indices {
            writer.messageHeader(3, length: Self.length(of: team.players[index]))
            writer.string(1, team.players[index].name)
            writer.int32(2, team.players[index].position.message.rawValue)
        }
        writer.varint(4, team.version)
    }

    /// The length of a `teams.v1.Player` message.
    @inlinable
    static func length(of player: Player) -> Int {
        ProtobufSize.string(1, player.name) + ProtobufSize.int32(2, player.position.message.rawValue)
    }
}
