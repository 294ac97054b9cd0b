import Foundation
import NIOHTTP1

/// Signs HTTP requests with AWS Signature Version 4, in the `Authorization` header.
///
/// Given the method, URL, headers, body and a date, `sign` returns the headers to send:
/// the caller's headers plus `Host` (when absent), `X-Amz-Date`, `X-Amz-Security-Token`
/// (when the credentials carry a session token) and `Authorization`. The canonical
/// request and string to sign come back too, so a signature mismatch reported by AWS
/// can be diagnosed.
///
/// Canonical form, as AWS specifies it
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html):
///
/// ```
/// METHOD \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n \n SignedHeaders \n hex(SHA256(body))
/// ```
/// - URI: dot segments removed, each segment `UriEncode`d twice (as every service but
///   S3 wants, and S3 is not signed for here); an empty path is `/`.
/// - Query: names and values `UriEncode`d, sorted by name then value; `a` becomes `a=`.
/// - Headers: names lowercased, values trimmed with inner runs of spaces collapsed,
///   repeated headers joined with `,`, sorted by name. Hop-by-hop headers, `User-Agent`,
///   `X-Amzn-Trace-Id` and `Authorization` are not signed (botocore's list).
///
/// The signer is a value: it holds no clock, so equal inputs always give equal output.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The outcome of signing: the headers to send, and the intermediate values.
    public struct SignedRequest: Sendable {
        /// The request headers to send, `Authorization` included.
        public var headers: HTTPHeaders
        public var canonicalRequest: String
        public var stringToSign: String
        /// Lowercase hex HMAC, the last part of `Authorization`.
        public var signature: String
        /// `;`-joined lowercase names, as in `Authorization`.
        public var signedHeaders: String
        public var authorization: String
    }

    /// Headers never signed: they may be changed or added by proxies and HTTP stacks
    /// after signing. Same list as botocore's `SIGNED_HEADERS_BLACKLIST`, plus the
    /// signature's own header.
    static let unsignedHeaders: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate",
        "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
        "user-agent", "x-amzn-trace-id",
    ]

    /// Signs one request.
    ///
    /// - Parameters:
    ///   - method: the HTTP method, e.g. `POST`.
    ///   - url: the full request URL; its path and query are signed as sent, its host
    ///     (with a non-default port) becomes `Host` unless `headers` has one.
    ///   - headers: headers to send and sign. Existing `X-Amz-Date`, `X-Amz-Security-Token`
    ///     and `Authorization` are replaced; an `X-Amz-Content-SHA256` is dropped (S3's
    ///     header, which DynamoDB does not use).
    ///   - body: the exact bytes that will be sent.
    ///   - date: the signing time; AWS rejects signatures more than 5 minutes off.
    public func sign(
        method: String,
        url: URL,
        headers: HTTPHeaders = [:],
        body: [UInt8] = [],
        date: Date
    ) -> SignedRequest {
        let (timestamp, day) = SigningPrimitives.amzDate(date)
        let payloadHash = SigningPrimitives.sha256Hex(body)

        var headers = headers
        for name in ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"] {
            headers.remove(name: name)
        }
        if !headers.contains(name: "host"), let host = Self.hostHeader(for: url) {
            headers.add(name: "Host", value: host)
        }
        headers.add(name: "X-Amz-Date", value: timestamp)
        if let token = credentials.sessionToken {
            headers.add(name: "X-Amz-Security-Token", value: token)
        }

        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(headers)
        let canonicalRequest = [
            method.uppercased(),
            Self.canonicalURI(url),
            Self.canonicalQuery(url),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            timestamp,
            scope,
            SigningPrimitives.sha256Hex(Array(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        let signature = SigningPrimitives.hex(
            SigningPrimitives.hmac(key: signingKey(day: day), stringToSign)
        )
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        headers.add(name: "Authorization", value: authorization)

        return SignedRequest(
            headers: headers,
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign,
            signature: signature,
            signedHeaders: signedHeaders,
            authorization: authorization
        )
    }

    /// `kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`.
    func signingKey(day: String) -> [UInt8] {
        let kDate = SigningPrimitives.hmac(key: Array("AWS4\(credentials.secretAccessKey)".utf8), day)
        let kRegion = SigningPrimitives.hmac(key: kDate, region)
        let kService = SigningPrimitives.hmac(key: kRegion, service)
        return SigningPrimitives.hmac(key: kService, "aws4_request")
    }

    /// `host` or `host:port`; the port only when it is not the scheme's default,
    /// which is what HTTP clients send and what botocore signs.
    static func hostHeader(for url: URL) -> String? {
        guard let host = url.host, !host.isEmpty else { return nil }
        let scheme = url.scheme?.lowercased()
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        switch (scheme, url.port) {
        case (_, nil), ("http", 80), ("https", 443):
            return bracketed
        case (_, let port?):
            return "\(bracketed):\(port)"
        }
    }

    static func canonicalURI(_ url: URL) -> String {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let encodedPath = components?.percentEncodedPath ?? ""
        if encodedPath.isEmpty { return "/" }
        var segments = encodedPath.split(separator: "/", omittingEmptySubsequences: false).map {
            SigningPrimitives.percentDecode(String($0))
        }
        // RFC 3986 remove_dot_segments, segment-wise; the leading "" keeps the root "/".
        var normalized: [String] = []
        let trailingSlash = encodedPath.hasSuffix("/") || segments.last == "." || segments.last == ".."
        segments.removeFirst()  // before the leading "/"
        for segment in segments {
            switch segment {
            case ".", "": continue
            case "..": if !normalized.isEmpty { normalized.removeLast() }
            default: normalized.append(segment)
            }
        }
        let encoded = normalized.map { SigningPrimitives.uriEncode(SigningPrimitives.uriEncode($0)) }
        var path = "/" + encoded.joined(separator: "/")
        if trailingSlash && !encoded.isEmpty { path += "/" }
        return path
    }

    static func canonicalQuery(_ url: URL) -> String {
        guard let query = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQuery,
            !query.isEmpty
        else { return "" }
        var pairs: [(name: String, value: String)] = []
        for item in query.split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = SigningPrimitives.uriEncode(SigningPrimitives.percentDecode(String(parts[0])))
            let value = parts.count > 1
                ? SigningPrimitives.uriEncode(SigningPrimitives.percentDecode(String(parts[1]))) : ""
            pairs.append((name, value))
        }
        // Byte order of the encoded strings (all ASCII after encoding).
        pairs.sort { ($0.name.utf8.lexicographicallyPrecedes($1.name.utf8))
            || ($0.name == $1.name && $0.value.utf8.lexicographicallyPrecedes($1.value.utf8)) }
        return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// The canonical header block (each line `name:value\n`) and the signed-header list.
    static func canonicalHeaders(_ headers: HTTPHeaders) -> (block: String, signed: String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            guard !unsignedHeaders.contains(lower) else { continue }
            values[lower, default: []].append(trimAll(value))
        }
        let names = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let block = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// Trims leading and trailing whitespace and collapses inner runs of spaces to one.
    static func trimAll(_ value: String) -> String {
        var out = ""
        var pendingSpace = false
        for character in value {
            if character == " " || character == "\t" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" ") }
                pendingSpace = false
                out.append(character)
            }
        }
        return out
    }
}
