import AWSDynamoDB
import Synchronization

/// Records the waits a `RetryStrategy` asks for instead of sleeping.
final class SleepRecorder: Sendable {
    private let durations = Mutex<[Duration]>([])

    var recorded: [Duration] { durations.withLock { $0 } }

    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in durations.withLock { $0.append(duration) } }
    }

    /// A standard strategy that records instead of sleeping; `jitter` pins the random factor.
    func strategy(maxAttempts: Int = 3, jitter: Double = 0.5) -> RetryStrategy {
        RetryStrategy(maxAttempts: maxAttempts, sleep: sleep, jitter: { jitter })
    }
}

/// Counts how often credentials are asked for: once per attempt.
final class CountingCredentialsProvider: CredentialsProvider {
    private let count = Mutex(0)
    let value: AWSCredentials

    init(_ value: AWSCredentials = AWSCredentials(accessKeyID: "testing", secretAccessKey: "testing")) {
        self.value = value
    }

    var calls: Int { count.withLock { $0 } }

    func credentials() async throws -> AWSCredentials {
        count.withLock { $0 += 1 }
        return value
    }
}
