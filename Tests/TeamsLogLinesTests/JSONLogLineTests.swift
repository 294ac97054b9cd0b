import Foundation
import Logging
import XCTest

@testable import TeamsLogLines

final class JSONLogLineTests: XCTestCase {
    private func line(message: String = "call", _ fields: [LogField]) -> String {
        var bytes: [UInt8] = []
        JSONLogLine.appendLine(time: 1_796_220_000_123, level: .info, label: "teams-server", message: message, fields: fields, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func parsed(_ line: String) throws -> [String: String] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String], line)
    }

    func testTheFixedFieldsComeFirstThenTheMetadata() {
        XCTAssertEqual(
            line([LogField("method", "/teams.v1.TeamService/GetTeam"), LogField("status", "OK")]),
            #"{"time":"2026-12-02T14:00:00.123Z","level":"info","logger":"teams-server","message":"call","method":"/teams.v1.TeamService/GetTeam","status":"OK"}"#
                + "\n")
    }

    func testAMetadataKeyNamedLikeAFixedFieldIsLeftOut() throws {
        let object = try parsed(line([LogField("level", "forged"), LogField("message", "forged"), LogField("peer", "a")]))
        XCTAssertEqual(object["level"], "info")
        XCTAssertEqual(object["message"], "call")
        XCTAssertEqual(object["peer"], "a")
    }

    /// Whatever a value holds, the line is one JSON object that gives it back unchanged.
    func testEveryValueRoundTrips() throws {
        let samples = ["", "quote\"", "back\\slash", "new\nline\r\t", "\u{0}\u{1}\u{1F}", "\u{7F}", "Zé ⚽️", "\u{202E}", "</script>"]
        for text in samples {
            let written = line(message: text, [LogField("value", text), LogField(text.isEmpty ? "empty" : text, "key")])
            XCTAssertEqual(written.filter { $0 == "\n" }.count, 1, written)
            let object = try parsed(written)
            XCTAssertEqual(object["message"], text)
            XCTAssertEqual(object["value"], text)
            XCTAssertEqual(object[text.isEmpty ? "empty" : text], "key")
        }
        XCTAssertTrue(line([LogField("c", "\u{1}\u{1F}")]).contains(#""c":"\u0001\u001f""#))
    }
}
