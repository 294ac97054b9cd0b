import Foundation
import XCTest

@testable import AWSDynamoDB

/// The request shapes: what the typed inputs put on the wire.
final class ModelEncodingTests: XCTestCase {
    private func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    func testCreateTableWithIndexIsOnDemandWithDerivedAttributeDefinitions() throws {
        let input = CreateTableInput(
            tableName: "teams",
            hashKey: KeyAttribute("id", .string),
            globalSecondaryIndexes: [
                GlobalSecondaryIndex(name: "by-owner", hashKey: KeyAttribute("owner", .string), rangeKey: KeyAttribute("id", .string), projection: .keysOnly),
            ]
        )
        XCTAssertEqual(
            try json(input),
            #"{"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"owner","AttributeType":"S"}],"#
                + #""BillingMode":"PAY_PER_REQUEST","#
                + #""GlobalSecondaryIndexes":[{"IndexName":"by-owner","KeySchema":[{"AttributeName":"owner","KeyType":"HASH"},{"AttributeName":"id","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],"#
                + #""KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"TableName":"teams"}"#
        )
    }

    func testEmptyExpressionMapsAndNilsAreNotSent() throws {
        let put = PutItemInput(tableName: "t", item: ["id": "1"], expressionAttributeNames: [:], expressionAttributeValues: [:])
        XCTAssertEqual(try json(put), #"{"Item":{"id":{"S":"1"}},"TableName":"t"}"#)
        let get = GetItemInput(tableName: "t", key: ["id": "1"], consistentRead: true)
        XCTAssertEqual(try json(get), #"{"ConsistentRead":true,"Key":{"id":{"S":"1"}},"TableName":"t"}"#)
    }

    func testTransactionUpdateDropsReturnValues() throws {
        let update = UpdateItemInput(
            tableName: "t", key: ["id": "1"], updateExpression: "SET #n = :v",
            expressionAttributeNames: ["#n": "n"], expressionAttributeValues: [":v": 1], returnValues: .allNew
        )
        XCTAssertTrue(try json(update).contains(#""ReturnValues":"ALL_NEW""#))
        XCTAssertEqual(
            try json(TransactWriteItem.update(update)),
            ##"{"Update":{"ExpressionAttributeNames":{"#n":"n"},"ExpressionAttributeValues":{":v":{"N":"1"}},"Key":{"id":{"S":"1"}},"TableName":"t","UpdateExpression":"SET #n = :v"}}"##
        )
        let check = TransactWriteItem.conditionCheck(.init(tableName: "t", key: ["id": "2"], conditionExpression: "attribute_exists(id)"))
        XCTAssertEqual(try json(check), #"{"ConditionCheck":{"ConditionExpression":"attribute_exists(id)","Key":{"id":{"S":"2"}},"TableName":"t"}}"#)
    }

    func testItemPageDecodesAndTreatsEmptyLastKeyAsLastPage() throws {
        let page = try JSONDecoder().decode(
            ItemPage.self,
            from: Data(#"{"Items":[{"id":{"S":"a"}}],"Count":1,"ScannedCount":3,"LastEvaluatedKey":{"id":{"S":"a"}}}"#.utf8)
        )
        XCTAssertEqual(page.items, [["id": "a"]])
        XCTAssertEqual(page.scannedCount, 3)
        XCTAssertEqual(page.lastEvaluatedKey, ["id": "a"])
        let last = try JSONDecoder().decode(ItemPage.self, from: Data(#"{"Items":[],"Count":0,"ScannedCount":0,"LastEvaluatedKey":{}}"#.utf8))
        XCTAssertNil(last.lastEvaluatedKey)
    }
}
