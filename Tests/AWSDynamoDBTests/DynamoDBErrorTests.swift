import XCTest

@testable import AWSDynamoDB

/// Parsing DynamoDB's error bodies and mapping them to `DynamoDBError`.
final class DynamoDBErrorTests: XCTestCase {
    func testTypePrefixIsStrippedAndLowercaseMessageRead() {
        let body = #"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#
        let response = ServiceErrorResponse(statusCode: 400, errorTypeHeader: nil, body: Array(body.utf8))
        XCTAssertEqual(response.type, "ResourceNotFoundException")
        XCTAssertEqual(response.message, "Requested resource not found")
        XCTAssertEqual(DynamoDBError(response), .resourceNotFound("Requested resource not found"))
    }

    func testCapitalisedMessageAndCancellationReasons() {
        let body = """
            {"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
             "Message":"Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]",
             "CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]}
            """
        let response = ServiceErrorResponse(statusCode: 400, errorTypeHeader: nil, body: Array(body.utf8))
        XCTAssertTrue(response.message.hasPrefix("Transaction cancelled"))
        XCTAssertEqual(DynamoDBError(response), .transactionCanceled(reasons: ["None", "ConditionalCheckFailed"]))
    }

    func testOtherPrefixesAndTheHeaderFallback() {
        let validation = ServiceErrorResponse(
            statusCode: 400, errorTypeHeader: nil,
            body: Array(#"{"__type":"com.amazon.coral.validate#ValidationException","message":"bad"}"#.utf8)
        )
        XCTAssertEqual(DynamoDBError(validation), .validation("bad"))

        let html = ServiceErrorResponse(
            statusCode: 503, errorTypeHeader: "ServiceUnavailable:http://internal.amazon.com/",
            body: Array("<html>Service Unavailable</html>".utf8)
        )
        XCTAssertEqual(html.type, "ServiceUnavailable")
        XCTAssertEqual(html.message, "<html>Service Unavailable</html>")

        let bare = ServiceErrorResponse(statusCode: 502, errorTypeHeader: nil, body: [])
        XCTAssertEqual(bare.type, "HTTP502")
    }

    func testMappingOfTheNamedCases() {
        func mapped(_ type: String) -> DynamoDBError {
            DynamoDBError(ServiceErrorResponse(type: type, message: "m", statusCode: 400))
        }
        XCTAssertEqual(mapped("ConditionalCheckFailedException"), .conditionalCheckFailed)
        XCTAssertEqual(mapped("ResourceInUseException"), .resourceInUse("m"))
        XCTAssertEqual(mapped("ValidationException"), .validation("m"))
        XCTAssertEqual(mapped("ItemCollectionSizeLimitExceededException"), .service(type: "ItemCollectionSizeLimitExceededException", message: "m", statusCode: 400))
    }

    func testDescriptionsAreOneReadableLine() {
        let errors: [DynamoDBError] = [
            .conditionalCheckFailed, .transactionCanceled(reasons: ["None", "ConditionalCheckFailed"]),
            .resourceNotFound("t"), .resourceInUse("t"), .throttled("t"), .validation("t"), .unavailable("t"),
            .service(type: "X", message: "t", statusCode: 400), .invalidResponse("t"),
        ]
        for error in errors {
            XCTAssertTrue(error.description.hasPrefix("DynamoDB"), error.description)
            XCTAssertFalse(error.description.contains("\n"))
        }
        XCTAssertTrue(DynamoDBError.transactionCanceled(reasons: ["None", "ConditionalCheckFailed"]).description.contains("ConditionalCheckFailed"))
    }
}
