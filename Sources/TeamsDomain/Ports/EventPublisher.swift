/// The port through which domain events leave the core, e.g. to a log or a broker.
///
/// Delivery is at least once and in sequence order: a publisher may see an event
/// again after a restart and should be idempotent on `TeamEvent.sequence`.
/// `publish` must not throw; a publisher that cannot deliver handles that itself.
public protocol EventPublisher: Sendable {
    /// Delivers `events`, in sequence order: a batch as the relay read it from the outbox.
    func publish(_ events: [TeamEvent]) async
}
