/// Who is calling: named once per connection, by a token (AUTH frame) or a client certificate.
public struct Caller: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// What the caller may do, as the server's `CallerAuthenticator` reads it (e.g. `reader`).
    public var role: String

    public init(name: String, role: String) {
        self.name = name
        self.role = role
    }

    public var description: String { "\(name) (\(role))" }
}
