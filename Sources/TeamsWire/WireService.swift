import CTeamsProtobuf

/// A service of `proto/`, read from its protoc-c `ProtobufCServiceDescriptor`.
///
/// The server builds its method table from these, so a method added to a
/// `.proto` file appears here after `scripts/generate-proto` with no Swift edit.
public struct WireService: Sendable, Hashable {
    /// The full protobuf name, e.g. `teams.v1.TeamService`.
    public let name: String
    /// In declaration order.
    public let methods: [WireMethod]

    public static let teamService = WireService(teams__v1__team_service__descriptor_ptr())
    public static let health = WireService(teams__v1__health__descriptor_ptr())

    init(_ descriptor: UnsafePointer<ProtobufCServiceDescriptor>) {
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
