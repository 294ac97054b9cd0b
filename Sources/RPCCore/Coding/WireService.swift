import CRPCProtobuf

/// A service of `proto/`, read from its protoc-c `ProtobufCServiceDescriptor`.
///
/// This is protoc-c's account of the service. The server's method table is built
/// from it and checks every generated `MethodDescriptor` against it, so the Swift
/// and the C output of `scripts/generate-proto` cannot drift apart unnoticed.
public struct WireService: Sendable, Hashable {
    /// The full protobuf name, e.g. `teams.v1.TeamService`.
    public let name: String
    /// In declaration order.
    public let methods: [WireMethod]

    public init(_ descriptor: UnsafePointer<ProtobufCServiceDescriptor>) {
        let name = String(cString: descriptor.pointee.name)
        self.name = name
        self.methods = (0..<Int(descriptor.pointee.n_methods)).map { index in
            let method = descriptor.pointee.methods[index]
            return WireMethod(
                path: "/\(name)/\(String(cString: method.name))",
                input: WireMessageType(method.input),
                output: WireMessageType(method.output))
        }
    }
}

/// One method of a `WireService`.
public struct WireMethod: Sendable, Hashable {
    /// The full name callers address it by: `/teams.v1.TeamService/GetTeam`.
    public let path: String
    public let input: WireMessageType
    public let output: WireMessageType
}
