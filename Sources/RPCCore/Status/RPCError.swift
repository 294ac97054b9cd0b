/// A call that ended with a status other than OK: the code and a message for humans.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String

    public init(_ code: StatusCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `CODE: message`, as the CLI prints it.
    public var description: String { "\(code): \(message)" }
}
