/// The answer to a read that a port could give at once, or that it must wait for.
///
/// Lets a caller on an event loop answer from memory without starting a task, and
/// fall back to the `async` read only when the data is elsewhere (disk, network).
public enum ImmediateRead<Value> {
    /// The answer, read without waiting.
    case answered(Value)
    /// Only the `async` read can tell.
    case mustWait
}

extension ImmediateRead: Sendable where Value: Sendable {}
