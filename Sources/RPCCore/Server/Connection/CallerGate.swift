import NIOCore

/// Who is calling on one connection, and which methods they may call: the
/// `CallerAuthenticator` a server was given, applied to this connection's AUTH
/// frame or verified client certificate. Without an authenticator every caller may
/// call every method.
struct CallerGate {
    private let authenticator: (any CallerAuthenticator)?
    private let peerAddress: String?
    private let paths: [String]
    /// The caller named so far; nil for an anonymous one.
    private(set) var caller: Caller?
    /// With an authenticator, whether the caller may call each method, by table index.
    private var permitted: [Bool]?

    /// - Parameter paths: the method table's paths, by index.
    init(authenticator: (any CallerAuthenticator)?, peerAddress: String?, paths: [String]) {
        self.authenticator = authenticator
        self.peerAddress = peerAddress
        self.paths = paths
        if let authenticator { permitted = paths.map { authenticator.allows(nil, toCall: $0) } }
    }

    /// Whether callers must authenticate (the server has an authenticator).
    var authenticates: Bool { authenticator != nil }

    /// Whether the caller may call method `index`.
    @inline(__always)
    func allows(_ index: Int) -> Bool {
        guard let permitted else { return true }
        return permitted[index]
    }

    /// The error for a call of method `index` that `allows` refused.
    func denial(of index: Int) -> RPCError {
        if let caller { return RPCError(.permissionDenied, "caller \(caller) may not call \(paths[index])") }
        return RPCError(.unauthenticated, "authenticate with a token (AUTH frame) or a client certificate")
    }

    /// Reads an AUTH frame's body and names its caller. Without an authenticator the
    /// frame is ignored (nil). A malformed frame or a refused token is an error.
    mutating func authenticate(frameBody body: ByteBuffer) -> Result<Caller, RPCError>? {
        guard let authenticator else { return nil }
        var body = body
        guard body.readInteger(as: UInt8.self) == AuthScheme.bearerToken,
            let length = body.readInteger(as: UInt16.self), (1...1024).contains(length),
            let token = body.readBytes(length: Int(length)), body.readableBytes == 0
        else {
            return .failure(RPCError(.unauthenticated, "an AUTH frame carries scheme 1 and a token of 1 to 1024 bytes, and nothing after it"))
        }
        let result = authenticator.authenticate(token: token, from: peerAddress)
        if case .success(let caller) = result { name(caller) }
        return result
    }

    /// The transport verified a client certificate naming `name`: its caller, if the
    /// authenticator knows one and none is named yet.
    mutating func authenticate(certificateName name: String) -> Caller? {
        guard let authenticator, caller == nil, let caller = authenticator.caller(forCertificateName: name) else { return nil }
        self.name(caller)
        return caller
    }

    private mutating func name(_ caller: Caller) {
        guard let authenticator else { return }
        self.caller = caller
        permitted = paths.map { authenticator.allows(caller, toCall: $0) }
    }
}
