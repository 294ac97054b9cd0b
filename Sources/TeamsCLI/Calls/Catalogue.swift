import RPCCore
import TeamsProto

/// The methods and messages this `teams` was built with, from the generated
/// descriptors: what `teams call` can send and `teams describe` prints.
enum Catalogue {
    static let methods: [AnyMethodDescriptor] = Teams_V1_TeamService.Method.all + Teams_V1_Health.Method.all

    /// The method `name` names: its full path (`/teams.v1.TeamService/GetTeam`), with
    /// or without the leading slash or with a dot before the method, or a method or
    /// `Service/Method` name that only one method ends with.
    static func method(named name: String) -> AnyMethodDescriptor? {
        var path = name.hasPrefix("/") ? name : "/" + name
        if !path.dropFirst().contains("/"), let dot = path.lastIndex(of: ".") {
            path.replaceSubrange(dot...dot, with: "/")
        }
        if let exact = methods.first(where: { $0.path == path }) { return exact }
        // `/GetTeam` or `/TeamService/GetTeam`: the end of a path, after a slash or a package's dot.
        let matches = methods.filter { $0.path.hasSuffix(path) || $0.path.hasSuffix("." + path.dropFirst()) }
        return matches.count == 1 ? matches[0] : nil
    }

    /// Every message a method sends or receives, and the messages they hold, by name.
    static var messages: [String: MessageSchema] {
        var found: [String: MessageSchema] = [:]
        var pending = methods.flatMap { [$0.request, $0.response] }.compactMap(MessageSchema.init)
        while let schema = pending.popLast() {
            guard found[schema.name] == nil else { continue }
            found[schema.name] = schema
            for field in schema.fields {
                if case .message(let type) = field.kind, let nested = MessageSchema(type) { pending.append(nested) }
            }
        }
        return found
    }

    /// A method as a .proto declares it: `rpc GetTeam(teams.v1.GetTeamRequest) returns (teams.v1.GetTeamResponse);`.
    static func declaration(of method: AnyMethodDescriptor) -> String {
        let name = method.path.split(separator: "/").last.map(String.init) ?? method.path
        let stream = method.kind == .serverStreaming ? "stream " : ""
        return "rpc \(name)(\(method.request.name)) returns (\(stream)\(method.response.name));"
    }
}
