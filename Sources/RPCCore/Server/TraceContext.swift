/// The W3C trace context (https://www.w3.org/TR/trace-context/) of the call being served.
///
/// A request may carry a `traceparent` in its metadata. The server logs it with the
/// call and, while the handler runs, exposes it here, so that adapters can pass it
/// on (the DynamoDB store adds it to its outgoing requests). Nothing is exported:
/// this carries the context, it does not record spans.
public enum TraceContext {
    /// The request's `traceparent` while its handler runs; nil when it sent none or an invalid one.
    @TaskLocal public static var traceParent: String?

    /// The metadata key, as the W3C names the HTTP header.
    public static let metadataKey = "traceparent"

    /// `value` when it is a well-formed version-00 `traceparent`
    /// (`00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`, lower case, ids not all zero), else nil.
    public static func validated(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        guard bytes.count == 55, bytes[2] == dash, bytes[35] == dash, bytes[52] == dash,
            bytes[0] == zero, bytes[1] == zero
        else { return nil }
        let traceID = bytes[3..<35]
        let parentID = bytes[36..<52]
        for field in [traceID, parentID, bytes[53..<55]] where !field.allSatisfy(isLowerHex) {
            return nil
        }
        guard traceID.contains(where: { $0 != zero }), parentID.contains(where: { $0 != zero }) else { return nil }
        return value
    }

    private static let dash = UInt8(ascii: "-")
    private static let zero = UInt8(ascii: "0")

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
