import Logging
import XCTest

@testable import TeamsLogLines

final class TextLogLineTests: XCTestCase {
    private func line(label: String = "teams-server", message: String = "call", _ fields: [LogField]) -> String {
        var bytes: [UInt8] = []
        TextLogLine.appendLine(time: 1_796_220_000_123, level: .notice, label: label, message: message, fields: fields, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func testALineIsTimeLevelLabelFieldsAndMessage() {
        XCTAssertEqual(
            line([LogField("caller", "writer-1"), LogField("method", "/teams.v1.TeamService/DeleteTeam"), LogField("note", "two words")]),
            "2026-12-02T14:00:00.123Z notice teams-server : caller=writer-1 method=/teams.v1.TeamService/DeleteTeam note=\"two words\" call\n")
        XCTAssertEqual(line([]), "2026-12-02T14:00:00.123Z notice teams-server : call\n")
    }

    func testAValueIsQuotedWhenItHoldsASpaceAQuoteAnEqualsSignOrNothing() {
        XCTAssertEqual(TextLogLine.value("plain"), "plain")
        XCTAssertEqual(TextLogLine.value(""), "\"\"")
        XCTAssertEqual(TextLogLine.value("a=b"), "\"a=b\"")
        XCTAssertEqual(TextLogLine.value("say \"hi\""), "\"say \\\"hi\\\"\"")
        XCTAssertEqual(TextLogLine.value("Zé Roberto"), "\"Zé Roberto\"", "a space beside non-ASCII text")
        XCTAssertEqual(TextLogLine.value("Zé"), "Zé")
    }

    func testNothingAPeerSendsCanStartALineOrReorderIt() {
        XCTAssertEqual(TextLogLine.escaped("a\nb\r\tc"), "a\\nb\\r\\tc")
        XCTAssertEqual(TextLogLine.escaped("back\\slash"), "back\\\\slash")
        XCTAssertEqual(TextLogLine.escaped("evil\u{202E}txt"), "evil\\u{202E}txt")
        XCTAssertEqual(TextLogLine.escaped("nul\u{0}"), "nul\\u{0}")
        XCTAssertEqual(TextLogLine.escaped("line\u{2028}sep"), "line\\u{2028}sep")
        let forged = line(message: "ok\n2026-12-02T14:00:00.000Z error teams-server : forged", [LogField("peer", "x\ny=1")])
        XCTAssertEqual(forged.filter { $0 == "\n" }.count, 1, forged)
        XCTAssertTrue(forged.hasSuffix("peer=\"x\\ny=1\" ok\\n2026-12-02T14:00:00.000Z error teams-server : forged\n"), forged)
    }

    /// The bytes appended for a key, a value or a message are the text the escaping rules give.
    func testAppendedBytesAreTheEscapedText() {
        let samples = [
            "", "plain", "two words", "a=b", "q\"uote", "back\\slash", "new\nline", "tab\t", "Zé", "Zé Roberto", "é=1",
            "\u{202E}", "\u{2066}x", "nbsp\u{A0}here", "emoji ⚽️ ball", "\u{7F}del",
        ]
        for text in samples {
            var value: [UInt8] = []
            TextLogLine.appendValue(text, to: &value)
            XCTAssertEqual(String(decoding: value, as: UTF8.self), TextLogLine.value(text), "value of \(text.debugDescription)")
            var escaped: [UInt8] = []
            TextLogLine.appendEscaped(text, to: &escaped)
            XCTAssertEqual(String(decoding: escaped, as: UTF8.self), TextLogLine.escaped(text), "escape of \(text.debugDescription)")
        }
    }

    func testMetadataIsSortedByKey() {
        let fields = LogField.sorted(["zeta": "1", "alpha": "2", "mid": .stringConvertible(3)])
        XCTAssertEqual(fields, [LogField("alpha", "2"), LogField("mid", "3"), LogField("zeta", "1")])
    }
}
