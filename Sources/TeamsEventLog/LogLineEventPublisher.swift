import Logging
import TeamsDomain
import TeamsLogLines

/// The default `EventPublisher`: one log line per domain event, in the server's log
/// format (`LogFormat`), logged at info under the label `teams.events`.
///
/// The line's message is the event name (`TeamEvent.Kind`'s raw value, as the stores
/// keep it); its fields are the sequence, the team id, the version and the change's
/// details, so log pipelines can index them. A batch's lines are formatted together
/// and written to their output at once, in one piece.
public struct LogLineEventPublisher: EventPublisher {
    public static let label = "teams.events"

    private let format: LogFormat
    private let isEnabled: Bool
    private let clock: WallClock
    private let output: @Sendable ([UInt8]) -> Void

    /// - Parameters:
    ///   - level: the server's log level; above info, nothing is written.
    ///   - output: where a batch's lines go; stderr, whole, by default.
    public init(
        format: LogFormat, level: Logger.Level, clock: WallClock = .system, output: @escaping @Sendable ([UInt8]) -> Void = StandardError.write
    ) {
        self.format = format
        self.isEnabled = level <= .info
        self.clock = clock
        self.output = output
    }

    public func publish(_ events: [TeamEvent]) async {
        guard isEnabled, !events.isEmpty else { return }
        let time = clock.milliseconds()
        var lines: [UInt8] = []
        lines.reserveCapacity(events.count * 224)
        var fields: [LogField] = []
        fields.reserveCapacity(7)
        for event in events {
            Self.fields(of: event, into: &fields)
            format.appendLine(time: time, level: .info, label: Self.label, message: event.name, fields: fields, to: &lines)
        }
        output(lines)
    }

    /// `event`'s fields, sorted by key as a line wants them.
    static func fields(of event: TeamEvent, into fields: inout [LogField]) {
        fields.removeAll(keepingCapacity: true)
        fields.append(LogField("event", event.name))
        if let player = event.change.player {
            fields.append(LogField("player_name", player.name))
            fields.append(LogField("position", player.position.rawValue))
        }
        fields.append(LogField("sequence", String(event.sequence)))
        fields.append(LogField("team_id", event.teamID.description))
        if let name = event.change.teamName {
            fields.append(LogField("team_name", name))
        }
        fields.append(LogField("version", String(event.version)))
    }
}
