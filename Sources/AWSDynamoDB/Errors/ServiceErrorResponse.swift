import Foundation

/// The body of a non-2xx DynamoDB response, as far as error handling needs it.
///
/// ```
/// {"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
///  "Message":"Transaction cancelled ...",
///  "CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"..."}]}
/// ```
/// A body that is not JSON (a proxy's HTML page, say) still gives a usable value: the
/// type falls back to the `x-amzn-ErrorType` header, then to `HTTP<status>`, and the
/// message to the start of the body.
struct ServiceErrorResponse: Sendable, Hashable {
    var type: String
    var message: String
    var statusCode: Int
    var cancellationReasons: [String]

    init(type: String, message: String, statusCode: Int, cancellationReasons: [String] = []) {
        self.type = type
        self.message = message
        self.statusCode = statusCode
        self.cancellationReasons = cancellationReasons
    }

    init(statusCode: Int, errorTypeHeader: String?, body: [UInt8]) {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let rawType = (object?["__type"] as? String) ?? errorTypeHeader ?? "HTTP\(statusCode)"
        let message = (object?["message"] as? String) ?? (object?["Message"] as? String)
            ?? String(decoding: body.prefix(200), as: UTF8.self)
        let reasons = (object?["CancellationReasons"] as? [[String: Any]] ?? []).map {
            ($0["Code"] as? String) ?? "None"
        }
        self.init(type: Self.shortType(rawType), message: message, statusCode: statusCode, cancellationReasons: reasons)
    }

    /// `com.amazonaws.dynamodb.v20120810#ThrottlingException` → `ThrottlingException`;
    /// the header form `ThrottlingException:http://internal...` loses its suffix too.
    static func shortType(_ raw: String) -> String {
        var type = Substring(raw)
        if let hash = type.lastIndex(of: "#") { type = type[type.index(after: hash)...] }
        if let colon = type.firstIndex(of: ":") { type = type[..<colon] }
        return type.trimmingCharacters(in: .whitespaces)
    }
}
