import Logging
import TeamsDomain

/// The default `EventPublisher`: one structured log line per domain event.
///
/// The line's message is the event name (`TeamEvent.Kind`'s raw value, as the stores
/// keep it); its metadata carries the sequence, the team id, the version and the
/// change's details, so log pipelines can index them.
public struct LoggingEventPublisher: EventPublisher {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func publish(_ event: TeamEvent) async {
        logger.info("\(event.name)", metadata: Self.metadata(of: event))
    }

    static func metadata(of event: TeamEvent) -> Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        metadata.reserveCapacity(6)
        metadata["event"] = .string(event.name)
        metadata["sequence"] = .string(String(event.sequence))
        metadata["team_id"] = .string(event.teamID.description)
        metadata["version"] = .string(String(event.version))
        if let name = event.change.teamName {
            metadata["team_name"] = .string(name)
        }
        if let player = event.change.player {
            metadata["player_name"] = .string(player.name)
            metadata["position"] = .string(player.position.rawValue)
        }
        return metadata
    }
}
