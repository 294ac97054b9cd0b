/// A server's policy for who may call what. The RPC core asks it once per
/// connection, so a call pays one array lookup for its permission.
///
/// With an authenticator, a call on a connection that has named no caller gets
/// UNAUTHENTICATED unless `allows(nil, ...)` is true for its method, and a call the
/// caller may not make gets PERMISSION_DENIED. Both are logged with the caller's
/// name, as is every call that may change state.
public protocol CallerAuthenticator: Sendable {
    /// The caller an AUTH frame's token names, or why it is refused: UNAUTHENTICATED
    /// for a token that matches no caller, RESOURCE_EXHAUSTED for an address that has
    /// failed too often lately. Must take the same time for every wrong token.
    func authenticate(token: [UInt8], from address: String?) -> Result<Caller, RPCError>
    /// The caller a verified client certificate names (its subject's common name, else
    /// its first DNS name), or nil when that name is no caller.
    func caller(forCertificateName name: String) -> Caller?
    /// Whether `caller` (nil: no caller named yet) may call the method at `path`.
    func allows(_ caller: Caller?, toCall path: String) -> Bool
}
