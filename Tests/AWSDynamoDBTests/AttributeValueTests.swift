import Foundation
import XCTest

@testable import AWSDynamoDB

/// `AttributeValue` against DynamoDB's wire JSON.
final class AttributeValueTests: XCTestCase {
    private func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    private func decode(_ text: String) throws -> AttributeValue {
        try JSONDecoder().decode(AttributeValue.self, from: Data(text.utf8))
    }

    func testEveryTypeEncodesAsDynamoDBWritesIt() throws {
        let cases: [(AttributeValue, String)] = [
            (.s("x"), #"{"S":"x"}"#),
            (.n("42.5"), #"{"N":"42.5"}"#),
            (.b(Data([0, 1, 255])), #"{"B":"AAH/"}"#),
            (.bool(true), #"{"BOOL":true}"#),
            (.null, #"{"NULL":true}"#),
            (.l([.s("a"), .n("1")]), #"{"L":[{"S":"a"},{"N":"1"}]}"#),
            (.m(["k": .bool(false)]), #"{"M":{"k":{"BOOL":false}}}"#),
            (.ss(["a", "b"]), #"{"SS":["a","b"]}"#),
            (.ns(["1", "2"]), #"{"NS":["1","2"]}"#),
            (.bs([Data([1])]), #"{"BS":["AQ=="]}"#),
        ]
        for (value, wire) in cases {
            XCTAssertEqual(try json(value), wire)
            XCTAssertEqual(try decode(wire), value, wire)
        }
    }

    func testNestedItemRoundTrips() throws {
        let item: [String: AttributeValue] = [
            "id": "team-1", "size": 7, "active": true,
            "members": .l([.m(["name": "ana", "roles": .ss(["admin"])])]),
        ]
        let data = try JSONEncoder().encode(item)
        XCTAssertEqual(try JSONDecoder().decode([String: AttributeValue].self, from: data), item)
        XCTAssertEqual(item["size"]?.intValue, 7)
        XCTAssertEqual(item["id"]?.stringValue, "team-1")
    }

    func testObjectsWithoutExactlyOneKnownKeyAreRejected() {
        for wire in [#"{}"#, #"{"S":"a","N":"1"}"#, #"{"X":"a"}"#, #"{"N":1}"#] {
            XCTAssertThrowsError(try decode(wire), wire)
        }
    }
}
