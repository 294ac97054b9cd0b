import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import XCTest

@testable import AWSDynamoDB

/// The standard retry mode: what is retried, how often, and how long it waits. The
/// waits are recorded by an injected `sleep`, never slept.
final class RetryStrategyTests: XCTestCase {
    private func serviceError(_ type: String, _ status: Int, reasons: [String] = []) -> AttemptFailure {
        .service(ServiceErrorResponse(type: type, message: "\(type) message", statusCode: status, cancellationReasons: reasons))
    }

    // MARK: Classification

    func testThrottlingErrorsAreRetriedAsThrottling() {
        for type in ["ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "TransactionInProgressException"] {
            XCTAssertEqual(RetryStrategy.category(ofServiceError: type, statusCode: 400), .throttling, type)
        }
        XCTAssertEqual(RetryStrategy.category(ofServiceError: "Anything", statusCode: 429), .throttling)
    }

    /// A write that meets another request's transaction on its item waits and tries again.
    func testTransactionConflictsAreRetriedWithBackoff() {
        XCTAssertEqual(RetryStrategy.category(ofServiceError: "TransactionConflictException", statusCode: 400), .throttling)
    }

    func testServerErrorsAreTransient() {
        for status in [500, 502, 503, 504] {
            XCTAssertEqual(RetryStrategy.category(ofServiceError: "InternalServerError", statusCode: status), .transient)
        }
        XCTAssertEqual(RetryStrategy.category(ofServiceError: "RequestTimeoutException", statusCode: 400), .transient)
    }

    func testClientErrorsAreNeverRetried() {
        for type in [
            "ConditionalCheckFailedException", "TransactionCanceledException", "ValidationException",
            "ResourceNotFoundException", "ResourceInUseException", "AccessDeniedException",
        ] {
            XCTAssertEqual(RetryStrategy.category(ofServiceError: type, statusCode: 400), .nonRetryable, type)
        }
    }

    func testConnectionErrorsAreTransient() {
        let transient: [any Error] = [
            HTTPClientError.connectTimeout, HTTPClientError.readTimeout, HTTPClientError.remoteConnectionClosed,
            HTTPClientError.deadlineExceeded, IOError(errnoCode: ECONNREFUSED, reason: "connect"),
            IOError(errnoCode: ECONNRESET, reason: "read"), ChannelError.connectTimeout(.seconds(1)), ChannelError.eof,
        ]
        for error in transient {
            XCTAssertEqual(RetryStrategy.category(ofTransportError: error), .transient, "\(error)")
        }
        let permanent: [any Error] = [HTTPClientError.invalidURL, HTTPClientError.cancelled, CancellationError()]
        for error in permanent {
            XCTAssertEqual(RetryStrategy.category(ofTransportError: error), .nonRetryable, "\(error)")
        }
    }

    // MARK: Backoff

    func testBackoffCeilingsDoubleAndAreCappedAt20Seconds() {
        let strategy = RetryStrategy(jitter: { 1 })
        XCTAssertEqual(strategy.backoff(beforeRetry: 1, category: .throttling), .seconds(1))
        XCTAssertEqual(strategy.backoff(beforeRetry: 2, category: .throttling), .seconds(2))
        XCTAssertEqual(strategy.backoff(beforeRetry: 3, category: .throttling), .seconds(4))
        XCTAssertEqual(strategy.backoff(beforeRetry: 1, category: .transient), .milliseconds(25))
        XCTAssertEqual(strategy.backoff(beforeRetry: 2, category: .transient), .milliseconds(50))
        XCTAssertEqual(strategy.backoff(beforeRetry: 6, category: .throttling), .seconds(20))
        XCTAssertEqual(strategy.backoff(beforeRetry: 200, category: .throttling), .seconds(20))
        XCTAssertEqual(RetryStrategy(jitter: { 0 }).backoff(beforeRetry: 2, category: .throttling), .zero)
    }

    func testBackoffWithRealJitterStaysWithinFullJitterBounds() {
        let strategy = RetryStrategy.standard
        var seen = Set<Duration>()
        for _ in 0..<500 {
            for (retry, ceiling) in [(1, Duration.seconds(1)), (2, .seconds(2))] {
                let delay = strategy.backoff(beforeRetry: retry, category: .throttling)
                XCTAssertGreaterThanOrEqual(delay, .zero)
                XCTAssertLessThan(delay, ceiling)
                seen.insert(delay)
            }
            let transient = strategy.backoff(beforeRetry: 2, category: .transient)
            XCTAssertLessThan(transient, .milliseconds(50))
        }
        XCTAssertGreaterThan(seen.count, 100, "jitter should spread the delays")
    }

    // MARK: The retry loop

    func testThrottlingIsRetriedThreeTimesThenReportedAsThrottled() async {
        let sleeps = SleepRecorder()
        var attempts = 0
        do {
            let _: Int = try await sleeps.strategy(jitter: 0.5).execute { _ in
                attempts += 1
                throw serviceError("ProvisionedThroughputExceededException", 400)
            }
            XCTFail("expected an error")
        } catch let error as DynamoDBError {
            guard case .throttled(let message) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(message.contains("ProvisionedThroughputExceededException"), message)
            XCTAssertTrue(message.contains("after 3 attempts"), message)
        } catch {
            XCTFail("unexpected \(error)")
        }
        XCTAssertEqual(attempts, 3)
        XCTAssertEqual(sleeps.recorded, [.milliseconds(500), .seconds(1)])
    }

    func testServerErrorsBecomeUnavailableAfterThreeAttempts() async {
        let sleeps = SleepRecorder()
        var attempts = 0
        do {
            let _: Int = try await sleeps.strategy(jitter: 1).execute { _ in
                attempts += 1
                throw serviceError("InternalServerError", 500)
            }
            XCTFail("expected an error")
        } catch let error as DynamoDBError {
            guard case .unavailable(let message) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(message.contains("HTTP 500"), message)
        } catch {
            XCTFail("unexpected \(error)")
        }
        XCTAssertEqual(attempts, 3)
        XCTAssertEqual(sleeps.recorded, [.milliseconds(25), .milliseconds(50)])
    }

    func testConnectionErrorsBecomeUnavailableAfterThreeAttempts() async {
        let sleeps = SleepRecorder()
        var attempts = 0
        do {
            let _: Int = try await sleeps.strategy().execute { _ in
                attempts += 1
                throw AttemptFailure.transport(IOError(errnoCode: ECONNREFUSED, reason: "connect"), endpoint: "http://x")
            }
            XCTFail("expected an error")
        } catch let error as DynamoDBError {
            guard case .unavailable(let message) = error else { return XCTFail("got \(error)") }
            XCTAssertTrue(message.contains("http://x") && message.contains("after 3 attempts"), message)
        } catch {
            XCTFail("unexpected \(error)")
        }
        XCTAssertEqual(attempts, 3)
        XCTAssertEqual(sleeps.recorded.count, 2)
    }

    func testSucceedsWhenARetrySucceeds() async throws {
        let sleeps = SleepRecorder()
        let value: String = try await sleeps.strategy().execute { attempt in
            if attempt < 3 { throw serviceError("ServiceUnavailable", 503) }
            return "ok on \(attempt)"
        }
        XCTAssertEqual(value, "ok on 3")
        XCTAssertEqual(sleeps.recorded.count, 2)
    }

    func testConditionAndValidationFailuresAreNotRetried() async {
        let cases: [(AttemptFailure, DynamoDBError)] = [
            (serviceError("ConditionalCheckFailedException", 400), .conditionalCheckFailed),
            (
                serviceError("TransactionCanceledException", 400, reasons: ["None", "ConditionalCheckFailed"]),
                .transactionCanceled(reasons: ["None", "ConditionalCheckFailed"])
            ),
            (serviceError("ValidationException", 400), .validation("ValidationException message")),
            (serviceError("ResourceNotFoundException", 400), .resourceNotFound("ResourceNotFoundException message")),
            (serviceError("AccessDeniedException", 400), .service(type: "AccessDeniedException", message: "AccessDeniedException message", statusCode: 400)),
        ]
        for (failure, expected) in cases {
            let sleeps = SleepRecorder()
            var attempts = 0
            do {
                let _: Int = try await sleeps.strategy().execute { _ in
                    attempts += 1
                    throw failure
                }
                XCTFail("expected \(expected)")
            } catch {
                XCTAssertEqual(error as? DynamoDBError, expected)
            }
            XCTAssertEqual(attempts, 1, "\(expected)")
            XCTAssertEqual(sleeps.recorded, [], "\(expected)")
        }
    }

    func testMaxAttemptsIsConfigurable() async {
        for maxAttempts in [1, 5] {
            let sleeps = SleepRecorder()
            var attempts = 0
            let _: Int? = try? await sleeps.strategy(maxAttempts: maxAttempts).execute { _ in
                attempts += 1
                throw serviceError("ThrottlingException", 400)
            }
            XCTAssertEqual(attempts, maxAttempts)
            XCTAssertEqual(sleeps.recorded.count, maxAttempts - 1)
        }
        XCTAssertEqual(RetryStrategy.disabled.maxAttempts, 1)
        XCTAssertEqual(RetryStrategy.standard.maxAttempts, 3)
    }

    func testOtherErrorsEndTheLoopUnchanged() async {
        let sleeps = SleepRecorder()
        var attempts = 0
        do {
            let _: Int = try await sleeps.strategy().execute { _ in
                attempts += 1
                throw CancellationError()
            }
            XCTFail("expected an error")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertEqual(attempts, 1)
    }
}
