import NIOCore
import NIOSSL
import RPCCore

/// TLS for a client: whom to trust, and for mutual TLS the client's own certificate.
public struct ClientTLS: Sendable {
    /// PEM: the CAs that may sign the server's certificate; nil trusts the system's.
    public var trustRootsFile: String?
    /// PEM: the client's certificate (mutual TLS), with `privateKeyFile`.
    public var certificateChainFile: String?
    public var privateKeyFile: String?
    /// The name the server's certificate must carry; nil checks the endpoint's host.
    public var serverHostname: String?

    public init(trustRootsFile: String? = nil, certificateChainFile: String? = nil, privateKeyFile: String? = nil, serverHostname: String? = nil) {
        self.trustRootsFile = trustRootsFile
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
        self.serverHostname = serverHostname
    }

    /// Loads the files.
    /// - Throws: `TLSSetupError` naming the file that cannot be used.
    public func makeContext() throws(TLSSetupError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = ServerTLS.minimumVersion
        if let trustRootsFile {
            let roots = try TLSSetupError.loading(trustRootsFile) { try NIOSSLCertificate.fromPEMFile(trustRootsFile) }
            guard !roots.isEmpty else { throw .unusable(file: trustRootsFile, reason: "it holds no PEM certificate") }
            configuration.trustRoots = .certificates(roots)
        }
        switch (certificateChainFile, privateKeyFile) {
        case (let chainFile?, let keyFile?):
            let chain = try TLSSetupError.loading(chainFile) { try NIOSSLCertificate.fromPEMFile(chainFile) }
            let key = try TLSSetupError.loading(keyFile) { try NIOSSLPrivateKey(file: keyFile, format: .pem) }
            configuration.certificateChain = chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(key)
        case (nil, nil):
            break
        case (let file?, nil), (nil, let file?):
            throw .unusable(file: file, reason: "a client certificate needs both --tls-cert and --tls-key")
        }
        return try TLSSetupError.loading(trustRootsFile ?? "the system trust store") { try NIOSSLContext(configuration: configuration) }
    }

    /// SNI and the name checked: an IP address is checked against the certificate's IP names instead.
    func hostname(for endpoint: Endpoint) -> String? {
        if let serverHostname { return serverHostname }
        let isAddress = (try? SocketAddress(ipAddress: endpoint.host, port: 0)) != nil
        return isAddress ? nil : endpoint.host
    }
}
