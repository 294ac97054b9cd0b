import ArgumentParser
import XCTest

@testable import TeamsCLI

final class GlobalOptionsTests: XCTestCase {
    func testConnectionOptionsBeforeTheSubcommandMoveAfterIt() {
        XCTAssertEqual(
            GlobalOptions.movedAfterSubcommand(["--server", "h:1", "--json", "--timeout=3", "health", "--tls"]),
            ["health", "--server", "h:1", "--json", "--timeout=3", "--tls"])
        XCTAssertEqual(GlobalOptions.movedAfterSubcommand(["get", "ID", "--server", "h:1"]), ["get", "ID", "--server", "h:1"])
    }

    func testAnythingElseIsLeftForTheParserToJudge() {
        for arguments in [["--help"], ["--version"], ["--server"], ["--server", "h:1"], ["--bogus", "health"], ["--server", "h:1", "--help"]] {
            XCTAssertEqual(GlobalOptions.movedAfterSubcommand(arguments), arguments)
        }
    }

    /// The lists the reordering uses name real options: each parses as one.
    func testTheListedOptionsAreGlobalOptions() throws {
        // A file option given a missing file fails validation, which still proves the option is known.
        let arguments = GlobalOptions.flags.map { [$0] } + GlobalOptions.optionsWithValues.map { [$0, $0 == "--timeout" ? "3" : "h:1"] }
        for given in arguments {
            do {
                _ = try GlobalOptions.parse(given)
            } catch {
                let message = GlobalOptions.message(for: error)
                XCTAssertFalse(message.contains("Unknown option") || message.contains("Missing value"), "\(given): \(message)")
            }
        }
    }

    func testTheCommandParsesOptionsGivenBeforeTheSubcommand() throws {
        let command = try TeamsCommand.parseAsRoot(GlobalOptions.movedAfterSubcommand(["--server", "h:9", "--json", "health"]))
        let health = try XCTUnwrap(command as? Health)
        XCTAssertEqual(health.global.server, "h:9")
        XCTAssertTrue(health.global.json)
    }
}
