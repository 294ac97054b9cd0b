import Foundation

/// A small PKI for the TLS tests, made fresh with `/usr/bin/openssl` in a temporary
/// folder (removed when the last copy of this value is gone). Every key is EC P-256.
///
/// - `ca.pem`: the test CA. It signs `server.pem` (SAN `DNS:localhost, IP:127.0.0.1`),
///   `alice.pem` (a client certificate, CN `alice`), `expired.pem` (a server certificate
///   valid only on 1 January 2020) and `wrong-host.pem` (SAN `DNS:wrong.example`).
/// - `other-ca.pem`: an unrelated CA. It signs `mallory.pem` (a client certificate, CN `mallory`).
public struct TestCertificates {
    /// Holds every file below.
    public let folder: TemporaryFolder

    public var caCertificate: URL { file("ca.pem") }
    public var caKey: URL { file("ca-key.pem") }
    public var serverCertificate: URL { file("server.pem") }
    public var serverKey: URL { file("server-key.pem") }
    public var aliceCertificate: URL { file("alice.pem") }
    public var aliceKey: URL { file("alice-key.pem") }
    public var otherCACertificate: URL { file("other-ca.pem") }
    public var otherCAKey: URL { file("other-ca-key.pem") }
    public var malloryCertificate: URL { file("mallory.pem") }
    public var malloryKey: URL { file("mallory-key.pem") }
    /// Signed by the CA for `localhost` and 127.0.0.1, but it expired on 2 January 2020.
    public var expiredServerCertificate: URL { file("expired.pem") }
    public var expiredServerKey: URL { file("expired-key.pem") }
    /// Signed by the CA, for `wrong.example` only.
    public var wrongHostServerCertificate: URL { file("wrong-host.pem") }
    public var wrongHostServerKey: URL { file("wrong-host-key.pem") }

    /// A command that failed: what was run and what openssl wrote to stderr.
    public struct Failure: Error, CustomStringConvertible {
        public var command: String
        public var status: Int32
        public var stderr: String
        public var description: String { "openssl \(command) failed with status \(status): \(stderr)" }
    }

    public static let openSSL = URL(fileURLWithPath: "/usr/bin/openssl")

    /// Makes every certificate; takes well under a second.
    /// - Throws: `Failure` with openssl's stderr when a command fails.
    public init() throws {
        folder = try TemporaryFolder()
        try Data(Self.configuration.utf8).write(to: file("openssl.cnf"))

        try makeCA("ca", subject: "/CN=Teams Test CA", serial: 1)
        try makeLeaf("server", subject: "/CN=localhost", signedBy: "ca", extensions: "server_ext", serial: 2)
        try makeLeaf("alice", subject: "/CN=alice", signedBy: "ca", extensions: "client_ext", serial: 3)
        try makeLeaf("wrong-host", subject: "/CN=wrong.example", signedBy: "ca", extensions: "wrong_host_ext", serial: 4)
        try makeCA("other-ca", subject: "/CN=Other Test CA", serial: 1)
        try makeLeaf("mallory", subject: "/CN=mallory", signedBy: "other-ca", extensions: "client_ext", serial: 5)

        // `openssl x509 -req` (OpenSSL 3.0) cannot set a start date in the past; `openssl ca` can.
        try makeKey("expired-key.pem")
        try run(["req", "-config", "openssl.cnf", "-new", "-key", "expired-key.pem", "-subj", "/CN=localhost", "-out", "expired.csr"])
        try Data().write(to: file("index.txt"))
        try Data("1000\n".utf8).write(to: file("serial.txt"))
        try run([
            "ca", "-config", "openssl.cnf", "-batch", "-notext", "-in", "expired.csr", "-out", "expired.pem",
            "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-extensions", "server_ext",
        ])
    }

    public func file(_ name: String) -> URL { folder.url.appendingPathComponent(name) }

    private func makeKey(_ name: String) throws {
        try run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", name])
    }

    private func makeCA(_ name: String, subject: String, serial: Int) throws {
        try makeKey("\(name)-key.pem")
        try run([
            "req", "-config", "openssl.cnf", "-x509", "-new", "-key", "\(name)-key.pem", "-subj", subject,
            "-days", "30", "-sha256", "-extensions", "ca_ext", "-set_serial", "\(serial)", "-out", "\(name).pem",
        ])
    }

    private func makeLeaf(_ name: String, subject: String, signedBy ca: String, extensions: String, serial: Int) throws {
        try makeKey("\(name)-key.pem")
        try run(["req", "-config", "openssl.cnf", "-new", "-key", "\(name)-key.pem", "-subj", subject, "-out", "\(name).csr"])
        try run([
            "x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca)-key.pem", "-set_serial", "\(serial)",
            "-days", "30", "-sha256", "-extfile", "openssl.cnf", "-extensions", extensions, "-out", "\(name).pem",
        ])
    }

    /// Runs openssl in the folder, so every path is relative to it.
    private func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = Self.openSSL
        process.arguments = arguments
        process.currentDirectoryURL = folder.url
        var environment = ProcessInfo.processInfo.environment
        environment["OPENSSL_CONF"] = file("openssl.cnf").path
        process.environment = environment
        let stderrFile = file("openssl-stderr.txt")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let stderr = try FileHandle(forWritingTo: stderrFile)
        defer { try? stderr.close() }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw Failure(command: arguments.joined(separator: " "), status: -1, stderr: "cannot run \(Self.openSSL.path): \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let output = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            throw Failure(command: arguments.joined(separator: " "), status: process.terminationStatus, stderr: output)
        }
    }

    /// One file for `req`, `x509 -extfile` and `ca`, so nothing depends on the system's openssl.cnf.
    private static let configuration = """
        [ req ]
        distinguished_name = req_dn
        prompt = no
        [ req_dn ]
        CN = unused
        [ ca_ext ]
        basicConstraints = critical, CA:TRUE
        keyUsage = critical, keyCertSign, cRLSign
        subjectKeyIdentifier = hash
        [ server_ext ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature
        extendedKeyUsage = serverAuth
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        subjectAltName = DNS:localhost, IP:127.0.0.1
        [ wrong_host_ext ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature
        extendedKeyUsage = serverAuth
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        subjectAltName = DNS:wrong.example
        [ client_ext ]
        basicConstraints = critical, CA:FALSE
        keyUsage = critical, digitalSignature
        extendedKeyUsage = clientAuth
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        [ ca ]
        default_ca = test_ca
        [ test_ca ]
        database = index.txt
        new_certs_dir = .
        serial = serial.txt
        certificate = ca.pem
        private_key = ca-key.pem
        default_md = sha256
        policy = any_name
        unique_subject = no
        email_in_dn = no
        copy_extensions = none
        [ any_name ]
        commonName = supplied

        """
}
