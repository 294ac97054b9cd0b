import Foundation
import Metrics

/// What DynamoDB says each call consumed, as `dynamodb_consumed_capacity_units_total`
/// by `operation` and `purpose` (read and write units together: the operation says which).
///
/// The client asks for `ReturnConsumedCapacity: TOTAL` on every operation that can
/// report it. The purpose is the caller's: it wraps its calls in
/// `ConsumedCapacityMetrics.$purpose.withValue("change") { ... }`, so one operation
/// (a `PutItem`) is told apart by what it was for.
public enum ConsumedCapacityMetrics {
    /// What the calls in this task are for; `other` unless the caller says.
    @TaskLocal public static var purpose = "other"

    static let operations: Set<String> = [
        "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan",
        "BatchGetItem", "BatchWriteItem", "TransactWriteItems", "TransactGetItems",
    ]

    static func reports(_ operation: String) -> Bool { operations.contains(operation) }

    /// Adds up the `ConsumedCapacity` of a response: one object, or one per table.
    static func record(operation: String, response: Data) {
        struct Capacity: Decodable { var CapacityUnits: Double? }
        struct Single: Decodable { var ConsumedCapacity: Capacity? }
        struct Many: Decodable { var ConsumedCapacity: [Capacity]? }
        let units: Double
        if let single = try? JSONDecoder().decode(Single.self, from: response) {
            units = single.ConsumedCapacity?.CapacityUnits ?? 0
        } else if let many = try? JSONDecoder().decode(Many.self, from: response) {
            units = (many.ConsumedCapacity ?? []).reduce(0) { $0 + ($1.CapacityUnits ?? 0) }
        } else {
            return
        }
        guard units > 0 else { return }
        FloatingPointCounter(label: "dynamodb_consumed_capacity_units_total", dimensions: [("operation", operation), ("purpose", purpose)])
            .increment(by: units)
    }
}

/// An input encoded as itself, with `ReturnConsumedCapacity` added when asked.
struct AnyEncodable: Encodable {
    private let encodeInput: (any Encoder) throws -> Void
    private let askingForCapacity: Bool

    init(_ input: some Encodable, askingForCapacity: Bool = false) {
        self.encodeInput = input.encode(to:)
        self.askingForCapacity = askingForCapacity
    }

    private enum CodingKeys: String, CodingKey { case returnConsumedCapacity = "ReturnConsumedCapacity" }

    func encode(to encoder: any Encoder) throws {
        try encodeInput(encoder)
        guard askingForCapacity else { return }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("TOTAL", forKey: .returnConsumedCapacity)
    }
}
