import Foundation
import XCTest

@testable import AWSDynamoDB

/// The DynamoDB Streams API: where its requests go, how they are named and signed,
/// and how its answers and the table calls that turn a stream on are written.
final class StreamsTests: XCTestCase {
    private let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret")

    func testStreamsRequestsGoToTheStreamsEndpointWithTheirTargetSignedForDynamoDB() async throws {
        let configuration = DynamoDBConfiguration(region: "eu-west-1", credentials: credentials)
        XCTAssertEqual(configuration.streamsEndpoint.absoluteString, "https://streams.dynamodb.eu-west-1.amazonaws.com")
        let client = DynamoDBClient(configuration: configuration)
        defer { Task { try? await client.shutdown() } }
        let request = client.signedRequest(operation: "GetRecords", api: .streams, body: Array("{}".utf8), credentials: credentials, date: Date(timeIntervalSince1970: 1_700_000_000))
        XCTAssertEqual(request.url, "https://streams.dynamodb.eu-west-1.amazonaws.com/")
        XCTAssertEqual(request.headers.first(name: "X-Amz-Target"), "DynamoDBStreams_20120810.GetRecords")
        let authorization = try XCTUnwrap(request.headers.first(name: "Authorization"))
        XCTAssertTrue(authorization.contains("/eu-west-1/dynamodb/aws4_request"), authorization)
        let table = client.signedRequest(operation: "GetItem", body: [], credentials: credentials, date: Date())
        XCTAssertEqual(table.url, "https://dynamodb.eu-west-1.amazonaws.com/")
    }

    func testTheStreamsEndpointComesFromItsVariableElseTheDynamoDBOne() throws {
        let base = ["AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"]
        let local = try DynamoDBConfiguration.fromEnvironment(base.merging(["AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000"]) { $1 })
        XCTAssertEqual(local.streamsEndpoint.absoluteString, "http://127.0.0.1:8000", "moto and DynamoDB Local answer both on one port")
        let own = try DynamoDBConfiguration.fromEnvironment(base.merging([
            "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": "http://127.0.0.1:8001",
        ]) { $1 })
        XCTAssertEqual(own.streamsEndpoint.absoluteString, "http://127.0.0.1:8001")
        let regional = try DynamoDBConfiguration.fromEnvironment(base)
        XCTAssertEqual(regional.streamsEndpoint.absoluteString, "https://streams.dynamodb.us-east-1.amazonaws.com")
        XCTAssertThrowsError(try DynamoDBConfiguration.fromEnvironment(base.merging(["AWS_ENDPOINT_URL_DYNAMODB_STREAMS": "not a url"]) { $1 }))
    }

    func testRecordsDecodeWithTheirImagesAndAClosedShardEnds() throws {
        let json = #"""
        {"Records":[{"eventID":"1","eventName":"MODIFY","eventSource":"aws:dynamodb","dynamodb":{
            "Keys":{"id":{"S":"t1"}},"NewImage":{"id":{"S":"t1"},"version":{"N":"2"}},"OldImage":{"id":{"S":"t1"},"version":{"N":"1"}},
            "SequenceNumber":"111","SizeBytes":20,"StreamViewType":"NEW_AND_OLD_IMAGES"}}]}
        """#
        let page = try JSONDecoder().decode(RecordsPage.self, from: Data(json.utf8))
        XCTAssertNil(page.nextShardIterator, "no next iterator: the shard is closed and read to its end")
        XCTAssertEqual(page.records, [StreamRecord(
            eventName: "MODIFY", keys: ["id": .s("t1")], newImage: ["id": .s("t1"), "version": .n("2")],
            oldImage: ["id": .s("t1"), "version": .n("1")], sequenceNumber: "111")])
        let shard = try JSONDecoder().decode(Shard.self, from: Data(#"{"ShardId":"b","ParentShardId":"a","SequenceNumberRange":{"StartingSequenceNumber":"1"}}"#.utf8))
        XCTAssertEqual(shard, Shard(shardID: "b", parentShardID: "a"))
    }

    func testTablesAreCreatedAndUpdatedWithAStream() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let create = String(decoding: try encoder.encode(CreateTableInput(tableName: "T", hashKey: KeyAttribute("id", .string), stream: .newAndOldImages)), as: UTF8.self)
        XCTAssertTrue(create.contains(#""StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}"#), create)
        let update = String(decoding: try encoder.encode(UpdateTableInput(tableName: "T", enableStream: .newAndOldImages)), as: UTF8.self)
        XCTAssertEqual(update, #"{"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"},"TableName":"T"}"#)
        let described = try JSONDecoder().decode(TableDescription.self, from: Data(#"""
            {"TableName":"T","TableStatus":"ACTIVE","LatestStreamArn":"arn:s","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}}
            """#.utf8))
        XCTAssertEqual(described.latestStreamARN, "arn:s")
        XCTAssertEqual(described.streamViewType, .newAndOldImages)
        let off = try JSONDecoder().decode(TableDescription.self, from: Data(#"{"TableName":"T","TableStatus":"ACTIVE","StreamSpecification":{"StreamEnabled":false}}"#.utf8))
        XCTAssertNil(off.streamViewType)
    }

    /// Operations that report consumed capacity are asked to, the rest are left alone.
    func testWritesAskForTheirConsumedCapacity() throws {
        let asked = try JSONEncoder().encode(AnyEncodable(GetItemInput(tableName: "T", key: ["id": .s("1")]), askingForCapacity: true))
        XCTAssertTrue(String(decoding: asked, as: UTF8.self).contains(#""ReturnConsumedCapacity":"TOTAL""#))
        XCTAssertTrue(ConsumedCapacityMetrics.reports("PutItem"))
        XCTAssertFalse(ConsumedCapacityMetrics.reports("DescribeTable"))
    }
}
