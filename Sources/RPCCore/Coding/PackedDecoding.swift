/// A value a handler reads from a request, taken straight from the request's most
/// common encoding when it can be, without building `Message`.
///
/// The hot read's request is usually one exact byte pattern (GetTeam: field 1, then
/// a 20-character id). Reading that pattern directly skips protoc-c's unpack, its
/// arena and a String; any other bytes are decoded as `Message` as usual and handed
/// to `init(_:)`, so what a request means never depends on which path read it. A
/// conformance's tests check both paths agree.
public protocol PackedDecoding<Message>: Sendable {
    associatedtype Message: WireMessage
    /// The value of `bytes` when they are the pattern this type reads directly; nil
    /// for any other bytes, valid or not, which then go through `Message`'s decoder.
    init?(packed bytes: UnsafeRawBufferPointer)
    /// The value of a request decoded the usual way.
    init(_ message: Message)
}
