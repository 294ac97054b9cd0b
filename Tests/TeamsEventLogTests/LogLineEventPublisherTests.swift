import Foundation
import Logging
import Synchronization
import TeamsDomain
import TeamsLogLines
import XCTest

@testable import TeamsEventLog

final class LogLineEventPublisherTests: XCTestCase {
    let id = TeamID("9m4e2mr0ui3e8a215n4g")!
    let added = TeamEvent(sequence: 7, teamID: TeamID("9m4e2mr0ui3e8a215n4g")!, version: 3, change: .playerAdded(Player(name: "Cruijff", position: .striker)), occurredAt: 0)

    /// What a publisher wrote, one entry per write.
    final class Output: Sendable {
        private let written = Mutex<[[UInt8]]>([])
        var writes: [String] { written.withLock { $0.map { String(decoding: $0, as: UTF8.self) } } }
        func write(_ bytes: [UInt8]) { written.withLock { $0.append(bytes) } }
    }

    func publisher(_ format: LogFormat, level: Logger.Level = .info, into output: Output) -> LogLineEventPublisher {
        LogLineEventPublisher(format: format, level: level, clock: WallClock { 1_796_220_000_123 }, output: output.write)
    }

    func testEachEventIsOneLineWithItsFieldsSortedByKey() {
        var fields: [LogField] = []
        LogLineEventPublisher.fields(of: added, into: &fields)
        XCTAssertEqual(fields, [
            LogField("event", "PlayerAdded"), LogField("player_name", "Cruijff"), LogField("position", "ST"), LogField("sequence", "7"),
            LogField("team_id", "9m4e2mr0ui3e8a215n4g"), LogField("version", "3"),
        ])
        XCTAssertEqual(fields.map(\.key), fields.map(\.key).sorted())
        let renamed = TeamEvent(sequence: 8, teamID: id, version: 4, change: .teamRenamed(name: "Ajax"), occurredAt: 0)
        LogLineEventPublisher.fields(of: renamed, into: &fields)
        XCTAssertEqual(fields.map(\.key), ["event", "sequence", "team_id", "team_name", "version"])
        XCTAssertEqual(fields.first { $0.key == "team_name" }?.value, "Ajax")
    }

    func testABatchIsWrittenInOnePieceInTheServersFormat() async throws {
        let output = Output()
        let renamed = TeamEvent(sequence: 8, teamID: id, version: 4, change: .teamRenamed(name: "Ajax Amsterdam"), occurredAt: 0)
        await publisher(.text, into: output).publish([added, renamed])
        XCTAssertEqual(output.writes, [
            "2026-12-02T14:00:00.123Z info teams.events : event=PlayerAdded player_name=Cruijff position=ST sequence=7 team_id=9m4e2mr0ui3e8a215n4g version=3 PlayerAdded\n"
                + "2026-12-02T14:00:00.123Z info teams.events : event=TeamRenamed sequence=8 team_id=9m4e2mr0ui3e8a215n4g team_name=\"Ajax Amsterdam\" version=4 TeamRenamed\n"
        ])

        let json = Output()
        await publisher(.json, into: json).publish([added, renamed])
        let lines = try XCTUnwrap(json.writes.first).split(separator: "\n")
        XCTAssertEqual(json.writes.count, 1)
        XCTAssertEqual(lines.count, 2)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: String])
        XCTAssertEqual(object["message"], "TeamRenamed")
        XCTAssertEqual(object["logger"], "teams.events")
        XCTAssertEqual(object["team_name"], "Ajax Amsterdam")
        XCTAssertEqual(object["sequence"], "8")
    }

    func testAboveInfoOrWithNoEventsNothingIsWritten() async {
        let output = Output()
        await publisher(.text, level: .warning, into: output).publish([added])
        await publisher(.text, into: output).publish([])
        XCTAssertEqual(output.writes, [])
    }
}
