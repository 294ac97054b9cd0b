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
        var metadata: Logger.Metadata = [
            "event": "\(event.name)",
            "sequence": "\(event.sequence)",
            "team_id": "\(event.teamID)",
            "version": "\(event.version)",
        ]
        if let name = event.change.teamName {
            metadata["team_name"] = "\(name)"
        }
        if let player = event.change.player {
            metadata["player_name"] = "\(player.name)"
            metadata["position"] = "\(player.position.rawValue)"
        }
        return metadata
    }
}
