import CoreMetrics
import Synchronization

/// A duration histogram that records without a lock: a scan of a few integer
/// bounds and two relaxed atomic adds. swift-prometheus' own histogram takes a
/// lock and compares `Duration`s for every bucket, which on the hot path (two
/// records per call) costs more than metrics may add to a call (docs/PERFORMANCE.md).
///
/// The text format is written by `emit`, next to the registry's.
final class AtomicDurationHistogram: TimerHandler, Sendable {
    let name: String
    let labels: [(String, String)]
    /// Upper bounds in nanoseconds, ascending; the last slot counts what is above them all.
    private let bounds: [Int64]
    private let counts: [Counter]
    private let sumNanoseconds = Atomic<Int64>(0)

    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    init(name: String, labels: [(String, String)], buckets: [Duration]) {
        self.name = name
        self.labels = labels
        bounds = buckets.map { $0.components.seconds * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000 }
        counts = (0...buckets.count).map { _ in Counter() }
    }

    func recordNanoseconds(_ duration: Int64) {
        var slot = 0
        while slot < bounds.count, duration > bounds[slot] { slot += 1 }
        counts[slot].value.add(1, ordering: .relaxed)
        sumNanoseconds.add(duration, ordering: .relaxed)
    }

    /// The `_bucket`, `_sum` and `_count` lines, cumulative as Prometheus wants them.
    func emit(into text: inout String) {
        let rendered = labels.map { "\($0.0)=\"\(Self.escaped($0.1))\"" }.joined(separator: ",")
        let prefix = rendered.isEmpty ? "" : rendered + ","
        var cumulative = 0
        for (slot, bound) in bounds.enumerated() {
            cumulative += counts[slot].value.load(ordering: .relaxed)
            text += "\(name)_bucket{\(prefix)le=\"\(Self.seconds(bound))\"} \(cumulative)\n"
        }
        cumulative += counts[bounds.count].value.load(ordering: .relaxed)
        text += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(cumulative)\n"
        let braces = rendered.isEmpty ? "" : "{\(rendered)}"
        text += "\(name)_sum\(braces) \(Self.seconds(sumNanoseconds.load(ordering: .relaxed)))\n"
        text += "\(name)_count\(braces) \(cumulative)\n"
    }

    /// Nanoseconds as decimal seconds without trailing zeros: 0.00001, 2.5, 10.
    static func seconds(_ nanoseconds: Int64) -> String {
        let whole = nanoseconds / 1_000_000_000
        var fraction = String(nanoseconds % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole).0" : "\(whole).\(fraction)"
    }

    static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// The `AtomicDurationHistogram`s made so far, by metric name, for the scrape.
final class AtomicHistograms: Sendable {
    private let families = Mutex<[(name: String, members: [AtomicDurationHistogram])]>([])

    /// The histogram of `name` and `labels`, made once.
    func histogram(name: String, labels: [(String, String)], buckets: [Duration]) -> AtomicDurationHistogram {
        families.withLock { families in
            let family = families.firstIndex { $0.name == name } ?? {
                families.append((name, []))
                return families.count - 1
            }()
            if let existing = families[family].members.first(where: { $0.labels.elementsEqual(labels) { $0.0 == $1.0 && $0.1 == $1.1 } }) { return existing }
            let histogram = AtomicDurationHistogram(name: name, labels: labels, buckets: buckets)
            families[family].members.append(histogram)
            return histogram
        }
    }

    func remove(_ histogram: AtomicDurationHistogram) {
        families.withLock { families in
            for index in families.indices { families[index].members.removeAll { $0 === histogram } }
        }
    }

    /// Every family in the text format, each with its HELP and TYPE lines.
    func emit(help: (String) -> String) -> String {
        let snapshot = families.withLock { $0 }
        var text = ""
        for family in snapshot where !family.members.isEmpty {
            text += "# HELP \(family.name) \(help(family.name))\n# TYPE \(family.name) histogram\n"
            for member in family.members { member.emit(into: &text) }
        }
        return text
    }
}
