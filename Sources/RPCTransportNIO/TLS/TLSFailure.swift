import NIOSSL

/// Why TLS failed, in words that say what to change, rather than BoringSSL's error
/// stack (which carries the path it was built at).
enum TLSFailure {
    /// BoringSSL's reason codes and what each means for a client.
    private static let reasons: [(code: String, meaning: String)] = [
        ("CERTIFICATE_REQUIRED", "the server requires a client certificate (mutual TLS): give one (teams --tls-cert and --tls-key)"),
        ("CERTIFICATE_VERIFY_FAILED", "the server's certificate is not trusted: give the CA that signed it (teams --tls-ca)"),
        ("UNKNOWN_CA", "the server does not trust the client certificate's CA"),
        ("BAD_CERTIFICATE", "the server refused the client certificate"),
        ("CERTIFICATE_UNKNOWN", "the server refused the client certificate"),
        ("CERTIFICATE_EXPIRED", "a certificate has expired"),
        ("WRONG_VERSION_NUMBER", "the server did not answer in TLS: it may serve plaintext on this port (try without --tls)"),
        ("EOF during handshake", closedDuringHandshake),
        ("PROTOCOL_VERSION", "the server and the client share no TLS version"),
        ("HANDSHAKE_FAILURE", "the server and the client agree on no cipher or certificate"),
    ]

    static let closedDuringHandshake = "the server closed the connection during the TLS handshake: it may not serve TLS on this port (try without --tls)"

    static func reason(_ error: any Error) -> String {
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            return "the server's certificate does not name the address connected to (teams --tls-server-name)"
        }
        let text = "\(error)"
        if let known = reasons.first(where: { text.contains($0.code) }) { return known.meaning }
        return codes(in: text).map { "TLS failed: \($0.joined(separator: ", "))" } ?? "\(error)"
    }

    /// The reason codes of a BoringSSL error stack (`error:1000007d:SSL routines:OPENSSL_internal:CODE at /path:line`).
    private static func codes(in text: String) -> [String]? {
        let codes = text.split(separator: "OPENSSL_internal:").dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) }
        return codes.isEmpty ? nil : codes
    }
}
