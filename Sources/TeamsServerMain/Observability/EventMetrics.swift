import Metrics
import TeamsDomain

/// The event relay's position: the newest event stored and the newest published.
/// Their difference is the relay's lag.
enum EventMetrics {
    static let storedSequence = "teams_events_stored_sequence"
    static let publishedSequence = "teams_events_published_sequence"
}

/// Publishes through `publisher` and records each batch's last sequence as the newest published.
struct MeasuredEventPublisher: EventPublisher {
    let publisher: any EventPublisher
    let published: Gauge

    init(_ publisher: any EventPublisher, factory: any MetricsFactory) {
        self.publisher = publisher
        published = Gauge(label: EventMetrics.publishedSequence, factory: factory)
    }

    func publish(_ events: [TeamEvent]) async {
        await publisher.publish(events)
        if let last = events.last { published.record(Double(last.sequence)) }
    }
}
