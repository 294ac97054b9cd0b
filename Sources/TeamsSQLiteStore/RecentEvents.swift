import TeamsDomain

/// The events this store committed since it opened (the latest `capacity` or more of
/// them), in sequence order, so that the relay and watchers read new events from memory.
///
/// It holds every event committed from its first one on, as the commit hooks append
/// them in commit order; a read from before that first event goes to the file.
struct RecentEvents {
    static let capacity = 8192

    private var events: [TeamEvent] = []

    /// Appends an event just committed; its sequence is above every held one.
    mutating func append(_ event: TeamEvent) {
        events.append(event)
        // Trimmed in halves, so each append moves a constant number of events on average.
        if events.count >= 2 * Self.capacity { events.removeFirst(events.count - Self.capacity) }
    }

    /// Forgets every event, for when events leave the file (pruning): the next ones
    /// appended start a new run.
    mutating func removeAll() {
        events.removeAll()
    }

    /// The events after `sequence`, at most `limit`; nil when some of them may be
    /// missing here (before the first one held), so the file must answer.
    func events(after sequence: UInt64, limit: Int) -> [TeamEvent]? {
        guard let first = events.first, sequence >= first.sequence - 1 else { return nil }
        var (low, high) = (0, events.count)
        while low < high {
            let middle = (low + high) / 2
            if events[middle].sequence > sequence { high = middle } else { low = middle + 1 }
        }
        return Array(events[low..<(low + min(events.count - low, max(0, limit)))])
    }
}
