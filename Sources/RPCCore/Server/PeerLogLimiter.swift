import Logging
import NIOCore
import Synchronization

/// Writes the log lines a peer can cause at will (a denied call, a refused
/// authentication, a connection closed for bad input) at a bounded rate, so that no
/// peer can flood the log: a token bucket of `burst` lines, refilled at
/// `linesPerSecond`, shared by every connection of a server.
///
/// A line over the rate is dropped and counted (`ServerMetrics.Name.logLinesSuppressed`);
/// the next line written carries `suppressed=N`, the lines dropped since the previous one.
package final class PeerLogLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: NIODeadline
        var suppressed = 0
    }

    private let bucket: Mutex<Bucket>
    private let burst: Double
    private let linesPerSecond: Double
    private let metrics: ServerMetrics?

    package static let defaultBurst = 20.0
    package static let defaultLinesPerSecond = 10.0

    package init(burst: Double = PeerLogLimiter.defaultBurst, linesPerSecond: Double = PeerLogLimiter.defaultLinesPerSecond, metrics: ServerMetrics? = nil) {
        self.burst = burst
        self.linesPerSecond = linesPerSecond
        self.metrics = metrics
        bucket = Mutex(Bucket(tokens: burst, updated: .now()))
    }

    /// Logs the line if the rate allows, else counts it as suppressed.
    package func log(_ logger: Logger, level: Logger.Level, _ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata) {
        guard logger.logLevel <= level else { return }
        guard let suppressed = admit(at: .now()) else {
            metrics?.logLineSuppressed()
            return
        }
        var metadata = metadata()
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        logger.log(level: level, message(), metadata: metadata)
    }

    /// nil when the line must be dropped; else how many were dropped since the last one admitted.
    func admit(at now: NIODeadline) -> Int? {
        bucket.withLock { bucket in
            let elapsed = Double((now - bucket.updated).nanoseconds) / 1e9
            bucket.tokens = min(burst, bucket.tokens + max(0, elapsed) * linesPerSecond)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                bucket.suppressed += 1
                return nil
            }
            bucket.tokens -= 1
            defer { bucket.suppressed = 0 }
            return bucket.suppressed
        }
    }
}
