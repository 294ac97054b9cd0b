import Histogram
import RPCCore

/// The measured calls of one operation, or of a whole run: how many, how long each
/// took from when it was meant to be sent, and how many failed, by status.
struct CallStats {
    var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
    var calls = 0
    var errors: [StatusCode: Int] = [:]

    var errorCount: Int { errors.values.reduce(0, +) }

    mutating func record(_ status: StatusCode, microseconds: UInt64) {
        _ = histogram.record(max(1, microseconds))
        calls += 1
        if status != .ok { errors[status, default: 0] += 1 }
    }

    mutating func add(_ other: CallStats) {
        histogram.add(other.histogram)
        calls += other.calls
        for (code, count) in other.errors { errors[code, default: 0] += count }
    }
}

/// A run's measured calls by operation.
struct OperationStats {
    var byOperation: [Workload.Operation: CallStats] = [:]

    var calls: Int { byOperation.values.reduce(0) { $0 + $1.calls } }
    var errorCount: Int { byOperation.values.reduce(0) { $0 + $1.errorCount } }

    /// Every operation's calls together.
    var total: CallStats {
        var total = CallStats()
        for stats in byOperation.values { total.add(stats) }
        return total
    }

    mutating func record(_ operation: Workload.Operation, _ status: StatusCode, microseconds: UInt64) {
        byOperation[operation, default: CallStats()].record(status, microseconds: microseconds)
    }

    mutating func add(_ other: OperationStats) {
        for (operation, stats) in other.byOperation { byOperation[operation, default: CallStats()].add(stats) }
    }
}
