/// Where a server listens: a host and a port.
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; an IPv6 host may be bracketed (`[::1]:7070`).
    /// - Throws: `EndpointError` naming the text and what is expected.
    public init(parsing text: some StringProtocol) throws(EndpointError) {
        let trimmed = text.trimmingPrefixAndSuffix(while: \.isWhitespace)
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]),
            (1...65535).contains(port)
        else { throw .invalid(String(text)) }
        var host = Substring(trimmed[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty else { throw .invalid(String(text)) }
        self.init(host: String(host), port: port)
    }

    /// Parses a comma-separated list, `a:7070,b:7070`; at least one, no repeats.
    public static func list(parsing text: String) throws(EndpointError) -> [Endpoint] {
        var endpoints: [Endpoint] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let endpoint = try Endpoint(parsing: part)
            guard !endpoints.contains(endpoint) else { throw .repeated(endpoint.description) }
            endpoints.append(endpoint)
        }
        return endpoints
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why an endpoint list does not parse.
public enum EndpointError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(String)
    case repeated(String)

    public var description: String {
        switch self {
        case .invalid(let text): "\"\(text)\" is not HOST:PORT with a port from 1 to 65535"
        case .repeated(let text): "\(text) is listed twice"
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingPrefixAndSuffix(while predicate: (Character) -> Bool) -> Substring {
        let view = self[...]
        guard let start = view.firstIndex(where: { !predicate($0) }), let end = view.lastIndex(where: { !predicate($0) }) else {
            return Substring()
        }
        return Substring(view[start...end])
    }
}
