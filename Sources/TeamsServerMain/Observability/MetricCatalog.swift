import RPCCore

/// Every metric the server exports, with the help text `/metrics` shows and the
/// buckets of its histograms: the list the README's "Operating it" documents.
enum MetricCatalog {
    static let help: [String: String] = [
        ServerMetrics.Name.calls: "Calls answered, by method and status code.",
        ServerMetrics.Name.callDuration: "Time from reading a request to queuing its response, by method.",
        ServerMetrics.Name.callsInFlight: "Calls started and not yet answered, by method (calls that did not finish at once).",
        ServerMetrics.Name.connectionsOpen: "Connections open now.",
        ServerMetrics.Name.connectionsAccepted: "Connections accepted.",
        ServerMetrics.Name.connectionsRejected: "Connections refused or cut off because of the peer, by cause: limit, bad_stream, auth, tls.",
        ServerMetrics.Name.framesRejected: "Frames answered with an error without running a handler, by cause: oversized, undecodable, unknown_method.",
        MeasuredTeamStore.operationDuration: "Time a store operation took, by operation and store.",
        "teams_sqlite_group_commit_writes": "Writes committed together in one SQLite transaction (one fsync).",
        "teams_sqlite_commit_duration_seconds": "Time of one SQLite group commit, its fsync included.",
        "teams_sqlite_cache_hits_total": "SQLite team reads answered from the cache (--cache-mb).",
        "teams_sqlite_cache_misses_total": "SQLite team reads that went to the database.",
        "dynamodb_attempts_total": "DynamoDB requests sent, retries included, by operation.",
        "dynamodb_retries_total": "DynamoDB requests sent again after a failed attempt, by operation.",
        "dynamodb_throttles_total": "DynamoDB attempts refused by throttling, by operation.",
        "dynamodb_conflicts_total": "DynamoDB attempts refused because a transaction held the item (TransactionConflictException), by operation; retried with backoff.",
        "dynamodb_search_pages_total": "Search pages read from the names index.",
        "dynamodb_search_items_read_total": "Index entries and teams read for search pages: divided by the pages, what a page costs.",
        "dynamodb_change_writes_total": "Writes of changes to DynamoDB, by outcome: written, condition_failed (a real version conflict, a taken id or idempotency key).",
        "dynamodb_consumed_capacity_units_total": "Capacity units DynamoDB reported consumed, by operation and purpose: change, sequencer, index, other.",
        "teams_events_sequenced_total": "Changes this server's sequencer numbered into the event log (DynamoDB).",
        "teams_event_holes_total": "Events found missing below the log's head, or changes that could not be read, reported once each.",
        EventMetrics.storedSequence: "Sequence of the newest event stored (read at scrape time).",
        EventMetrics.publishedSequence: "Sequence of the newest event the relay published; the relay's lag is stored minus published.",
        "teams_event_watchers": "WatchEvents streams open now.",
        ProcessMetrics.residentMemory: "Resident memory of the process, in bytes.",
        ProcessMetrics.virtualMemory: "Virtual memory of the process, in bytes.",
        ProcessMetrics.openFileDescriptors: "File descriptors open in the process.",
        ProcessMetrics.maximumFileDescriptors: "The process's limit of open file descriptors.",
        ProcessMetrics.cpuSeconds: "CPU time of the process, user and system, in seconds.",
        ProcessMetrics.startTime: "When the process started, in seconds since the Unix epoch.",
    ]

    /// 10 µs to 10 s, three buckets a decade: a call, a store operation or a commit can be told apart at any scale.
    static let durationBuckets: [Duration] = [
        .microseconds(10), .microseconds(25), .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .microseconds(2_500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
    ]

    /// Writes per group commit: powers of two up to the most a batch holds in practice.
    static let valueBuckets: [String: [Double]] = [
        "teams_sqlite_group_commit_writes": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
    ]
}
