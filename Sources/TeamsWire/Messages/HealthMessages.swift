import CTeamsProtobuf

// The messages of `teams.v1.Health`.

public struct CheckRequest: CBridged, Hashable {
    public init() {}
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__check_request__descriptor_ptr() }
    init(c message: UnsafePointer<Teams__V1__CheckRequest>) throws(WireError) {}
    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__CheckRequest> { arena.message(CMessage.self, Self.descriptor) }
}

public struct CheckResponse: CBridged, Hashable {
    public var serving: Bool
    /// The store the server runs on, e.g. `sqlite:data/teams.sqlite`.
    public var store: String

    public init(serving: Bool, store: String) {
        self.serving = serving
        self.store = store
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__check_response__descriptor_ptr() }

    init(c message: UnsafePointer<Teams__V1__CheckResponse>) throws(WireError) {
        self.init(
            serving: message.pointee.status == TEAMS__V1__CHECK_RESPONSE__SERVING_STATUS__SERVING_STATUS_SERVING,
            store: try decodeString(message.pointee.store))
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__CheckResponse> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.status = serving
            ? TEAMS__V1__CHECK_RESPONSE__SERVING_STATUS__SERVING_STATUS_SERVING
            : TEAMS__V1__CHECK_RESPONSE__SERVING_STATUS__SERVING_STATUS_NOT_SERVING
        message.pointee.store = arena.cString(store)
        return message
    }
}

public struct ListMethodsRequest: CBridged, Hashable {
    public init() {}
    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__list_methods_request__descriptor_ptr() }
    init(c message: UnsafePointer<Teams__V1__ListMethodsRequest>) throws(WireError) {}
    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__ListMethodsRequest> { arena.message(CMessage.self, Self.descriptor) }
}

public struct ListMethodsResponse: CBridged, Hashable {
    public struct Method: Sendable, Hashable {
        /// e.g. `/teams.v1.TeamService/GetTeam`.
        public var name: String
        public var serverStreaming: Bool

        public init(name: String, serverStreaming: Bool) {
            self.name = name
            self.serverStreaming = serverStreaming
        }
    }

    public var methods: [Method]

    public init(methods: [Method]) {
        self.methods = methods
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__v1__list_methods_response__descriptor_ptr() }

    init(c message: UnsafePointer<Teams__V1__ListMethodsResponse>) throws(WireError) {
        var methods: [Method] = []
        for index in 0..<message.pointee.n_methods {
            guard let method = message.pointee.methods[index] else { continue }
            methods.append(Method(name: try decodeString(method.pointee.name), serverStreaming: method.pointee.server_streaming != 0))
        }
        self.init(methods: methods)
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__V1__ListMethodsResponse> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.n_methods = methods.count
        message.pointee.methods = arena.array(of: Teams__V1__ListMethodsResponse__Method.self, count: methods.count) { index in
            let method = arena.message(Teams__V1__ListMethodsResponse__Method.self, teams__v1__list_methods_response__method__descriptor_ptr())
            method.pointee.name = arena.cString(methods[index].name)
            method.pointee.server_streaming = methods[index].serverStreaming ? 1 : 0
            return method
        }
        return message
    }
}

/// Call metadata (`teams.rpc.v1.Metadata`): ordered key/value pairs.
public struct MetadataMessage: CBridged, Hashable {
    public var entries: [(key: String, value: String)]

    public init(entries: [(key: String, value: String)]) {
        self.entries = entries
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for entry in entries {
            hasher.combine(entry.key)
            hasher.combine(entry.value)
        }
    }

    static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> { teams__rpc__v1__metadata__descriptor_ptr() }

    init(c message: UnsafePointer<Teams__Rpc__V1__Metadata>) throws(WireError) {
        var entries: [(key: String, value: String)] = []
        for index in 0..<message.pointee.n_entries {
            guard let entry = message.pointee.entries[index] else { continue }
            entries.append((try decodeString(entry.pointee.key), try decodeString(entry.pointee.value)))
        }
        self.init(entries: entries)
    }

    func c(in arena: Arena) -> UnsafeMutablePointer<Teams__Rpc__V1__Metadata> {
        let message = arena.message(CMessage.self, Self.descriptor)
        message.pointee.n_entries = entries.count
        message.pointee.entries = arena.array(of: Teams__Rpc__V1__Metadata__Entry.self, count: entries.count) { index in
            let entry = arena.message(Teams__Rpc__V1__Metadata__Entry.self, teams__rpc__v1__metadata__entry__descriptor_ptr())
            entry.pointee.key = arena.cString(entries[index].key)
            entry.pointee.value = arena.cString(entries[index].value)
            return entry
        }
        return message
    }
}
