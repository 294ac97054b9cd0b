import TeamsDomain
import TeamsSupport

/// What `teams bench` sends: a weighted mix of operations over seeded teams.
struct Workload: Sendable {
    enum Operation: String, CaseIterable, Sendable {
        case get, create, rename, delete, search
        case addPlayer = "add-player"
        case removePlayer = "remove-player"
    }

    /// Cumulative weights, for one random draw per call.
    let choices: [(operation: Operation, upTo: Int)]
    let totalWeight: Int
    let description: String

    /// Parses `get=90,add-player=5,create=5`.
    init(mix: String) throws(BenchError) {
        var choices: [(Operation, Int)] = []
        var total = 0
        for part in mix.split(separator: ",") {
            let pieces = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = pieces.first, let operation = Operation(rawValue: name) else {
                throw .invalid("unknown operation \"\(part)\" in --mix; use \(Operation.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let weight = pieces.count == 2 ? Int(pieces[1]) : 1
            guard let weight, weight >= 0 else { throw .invalid("weight of \(name) in --mix must be a whole number") }
            total += weight
            if weight > 0 { choices.append((operation, total)) }
        }
        guard total > 0 else { throw .invalid("--mix has no operation with a positive weight") }
        self.choices = choices
        self.totalWeight = total
        self.description = mix
    }

    func draw(_ random: inout SplitMix64) -> Operation {
        let value = Int(random.next() % UInt64(totalWeight))
        for choice in choices where value < choice.upTo { return choice.operation }
        return choices[choices.count - 1].operation
    }

    var isGetOnly: Bool { choices.count == 1 && choices[0].operation == .get }

    /// Whether some call in the mix works on a seeded team, so the run needs their ids.
    var needsTeamIDs: Bool { choices.contains { ![.search, .create, .delete].contains($0.operation) } }
}

enum BenchError: Error, CustomStringConvertible {
    case invalid(String)
    var description: String {
        switch self {
        case .invalid(let message): message
        }
    }
}
