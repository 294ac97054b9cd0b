import NIOCore
import NIOSSL

/// TLS for a server: its certificate and key, and with `clientCAFile` mutual TLS,
/// where every client must present a certificate that chains to that CA.
/// TLS 1.2 or later only: a client offering 1.0 or 1.1 fails the handshake.
public struct ServerTLS: Sendable {
    /// PEM: the server's certificate, then any intermediates.
    public var certificateChainFile: String
    /// PEM: the certificate's private key.
    public var privateKeyFile: String
    /// PEM: the CA that client certificates must chain to; nil asks for none.
    public var clientCAFile: String?
    /// A handshake not done by then is cut off, so a peer cannot hold a connection by stalling it.
    public var handshakeTimeout: Duration = .seconds(10)

    /// The oldest version either side accepts.
    public static let minimumVersion = TLSVersion.tlsv12

    public init(certificateChainFile: String, privateKeyFile: String, clientCAFile: String? = nil) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.clientCAFile = clientCAFile
    }

    /// Loads the files.
    /// - Throws: `TLSSetupError` naming the file that cannot be used.
    public func makeContext() throws(TLSSetupError) -> NIOSSLContext {
        let chain = try TLSSetupError.loading(certificateChainFile) { try NIOSSLCertificate.fromPEMFile(certificateChainFile) }
        guard !chain.isEmpty else { throw .unusable(file: certificateChainFile, reason: "it holds no PEM certificate") }
        let key = try TLSSetupError.loading(privateKeyFile) { try NIOSSLPrivateKey(file: privateKeyFile, format: .pem) }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = ServerTLS.minimumVersion
        if let clientCAFile {
            let roots = try TLSSetupError.loading(clientCAFile) { try NIOSSLCertificate.fromPEMFile(clientCAFile) }
            guard !roots.isEmpty else { throw .unusable(file: clientCAFile, reason: "it holds no PEM certificate") }
            configuration.trustRoots = .certificates(roots)
            // A client names no host, so only the chain is checked.
            configuration.certificateVerification = .noHostnameVerification
        }
        return try TLSSetupError.loading(certificateChainFile) { try NIOSSLContext(configuration: configuration) }
    }
}

/// Why TLS cannot be set up: one line naming the file.
public enum TLSSetupError: Error, Sendable, CustomStringConvertible {
    case unusable(file: String, reason: String)

    public var description: String {
        switch self {
        case .unusable(let file, let reason): "cannot use \(file) for TLS: \(reason)"
        }
    }

    static func loading<T>(_ file: String, _ body: () throws -> T) throws(TLSSetupError) -> T {
        do {
            return try body()
        } catch {
            throw .unusable(file: file, reason: "\(error)")
        }
    }
}
