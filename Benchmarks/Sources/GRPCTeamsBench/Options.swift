import ArgumentParser

/// The methods a load mix can call, by the names `--mix` uses.
enum Operation: String, CaseIterable, Sendable {
    case get
    case create
    case addPlayer = "add-player"
    case rename
    case search
}

/// `--mix get=90,add-player=5,create=5`: relative weights of the methods called.
struct Mix: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var weights: [(operation: Operation, weight: Int)]

    init(weights: [(operation: Operation, weight: Int)]) {
        self.weights = weights
    }

    init?(argument: String) {
        var weights: [(operation: Operation, weight: Int)] = []
        for part in argument.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces() }
            guard let operation = Operation(rawValue: pieces[0]) else { return nil }
            let weight: Int
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value >= 0 else { return nil }
                weight = value
            } else {
                weight = 1
            }
            guard !weights.contains(where: { $0.operation == operation }) else { return nil }
            if weight > 0 { weights.append((operation, weight)) }
        }
        guard !weights.isEmpty else { return nil }
        self.weights = weights
    }

    var description: String { weights.map { "\($0.operation.rawValue)=\($0.weight)" }.joined(separator: ",") }

    func uses(_ operation: Operation) -> Bool { weights.contains { $0.operation == operation } }

    /// Picks an operation for a random number: weight-proportional.
    func table() -> [Operation] {
        // A 1000-entry lookup table keeps the per-call pick to one modulo and one load.
        let total = weights.reduce(0) { $0 + $1.weight }
        var table: [Operation] = []
        table.reserveCapacity(1000)
        var cumulative = 0
        for (operation, weight) in weights {
            cumulative += weight
            let upTo = cumulative * 1000 / total
            while table.count < upTo { table.append(operation) }
        }
        while table.count < 1000 { table.append(weights.last!.operation) }
        return table
    }
}

/// A time span given as `10`, `10s`, `1.5s`, `500ms` or `1m`.
struct Seconds: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var value: Double

    init(_ value: Double) { self.value = value }

    init?(argument: String) {
        let text = argument.trimmingSpaces()
        let parsed: Double?
        if text.hasSuffix("ms") {
            parsed = Double(text.dropLast(2)).map { $0 / 1000 }
        } else if text.hasSuffix("m") {
            parsed = Double(text.dropLast()).map { $0 * 60 }
        } else if text.hasSuffix("s") {
            parsed = Double(text.dropLast())
        } else {
            parsed = Double(text)
        }
        guard let parsed, parsed >= 0, parsed.isFinite else { return nil }
        value = parsed
    }

    var description: String { "\(value)" }
    var defaultValueDescription: String { "\(value)" }
}

/// `HOST:PORT`.
struct Target: ExpressibleByArgument, Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(argument: String) {
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = String(argument[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    var defaultValueDescription: String { description }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
