import ArgumentParser
import Foundation
import NIOCore
import RPCCore
import TeamsClient

struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call any method with a JSON request and print the JSON response, as grpcurl does.",
        discussion: """
            METHOD is a full name (teams.v1.TeamService/GetTeam) or just the method (GetTeam); `teams describe` \
            lists them and their fields. The request and response use proto3's JSON mapping: fields by their JSON \
            names, 64-bit integers as strings, enums by name. A streaming method prints each message as it comes.
            """)

    @Argument(help: "The method to call.") var method: String
    @Option(name: .shortAndLong, help: ArgumentHelp("The request as JSON, @FILE to read it from a file, or - for stdin (default {}).", valueName: "json"))
    var data = "{}"
    @Option(name: .customShort("H"), help: ArgumentHelp("Metadata to send, e.g. -H request-id=abc -H traceparent=00-...; repeatable.", valueName: "key=value"))
    var header: [String] = []
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func validate() throws {
        guard Catalogue.method(named: method) != nil else {
            throw ValidationError("no method \"\(method)\" (or more than one ends so); `teams describe` lists them")
        }
        for entry in header where !entry.contains("=") || entry.hasPrefix("=") {
            throw ValidationError("-H \"\(entry)\" must be key=value")
        }
        if data.hasPrefix("@"), !FileManager.default.isReadableFile(atPath: String(data.dropFirst())) {
            throw ValidationError("-d \(data): \(data.dropFirst()) is not a readable file")
        }
    }

    func run() async throws {
        let method = Catalogue.method(named: method)!
        guard let requestSchema = MessageSchema(method.request), let responseSchema = MessageSchema(method.response) else {
            throw ValidationError("\(method.path) has no schema for its messages")
        }
        let request: DynamicMessage
        let encoded: ByteBuffer
        do {
            request = try MessageJSON.message(from: try readData(), schema: requestSchema)
            encoded = try request.encoded()
        } catch {
            // Found only once the request is read: bad usage all the same (64), said in one line.
            Output.note("Error: -d: \(error)")
            throw ExitCode(64)
        }
        var metadata = Metadata()
        for entry in header {
            let parts = entry.split(separator: "=", maxSplits: 1)
            metadata.append(String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        var options = CallOptions(timeout: method.kind == .unary ? .milliseconds(Int64(global.timeout * 1000)) : nil, metadata: metadata)
        options.waitForReady = global.waitForReady
        let printResponse = { (payload: RawMessage) throws(RPCError) in
            do throws(WireError) {
                Output.line(MessageJSON.text(of: try DynamicMessage(decoding: payload.bytes, as: responseSchema)))
            } catch {
                throw RPCError(.internal, "the response is not a valid \(responseSchema.name): \(error)")
            }
        }
        try await global.withClient { client throws(RPCError) in
            switch method.kind {
            case .unary:
                try printResponse(try await client.connection.unary(method.raw, RawMessage(bytes: encoded), options: options))
            case .serverStreaming:
                do {
                    for try await message in client.connection.serverStreaming(method.raw, RawMessage(bytes: encoded), options: options) {
                        try printResponse(message)
                    }
                } catch let error as RPCError {
                    throw error
                } catch {
                    throw RPCError(.unknown, "\(error)")
                }
            }
        }
    }

    private func readData() throws -> String {
        if data == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        if data.hasPrefix("@") { return try String(contentsOfFile: String(data.dropFirst()), encoding: .utf8) }
        return data
    }
}

struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Describe the methods, or one method or message, from the descriptors teams was built with.",
        discussion: "Without a name, lists every method. With a method (GetTeam), prints it and its request and response messages; with a message (teams.v1.Team), its fields.")

    @Argument(help: "A method or message name; omit to list the methods.") var name: String?
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() throws {
        guard let name else {
            if json { return Output.emit(Catalogue.methods.map { MethodJSON(name: $0.path, serverStreaming: $0.kind == .serverStreaming) }) }
            var services: [(String, [AnyMethodDescriptor])] = []
            for method in Catalogue.methods {
                let service = String(method.path.split(separator: "/").first ?? "")
                if services.last?.0 == service { services[services.count - 1].1.append(method) } else { services.append((service, [method])) }
            }
            let blocks = services.map { service, methods in
                (["service \(service) {"] + methods.map { "  " + Catalogue.declaration(of: $0) } + ["}"]).joined(separator: "\n")
            }
            return Output.line(blocks.joined(separator: "\n\n"))
        }
        let messages = Catalogue.messages
        if let method = Catalogue.method(named: name) {
            let schemas = [method.request, method.response].compactMap { messages[$0.name] }
            if json { return Output.emit(MethodDescriptionJSON(method, schemas)) }
            return Output.line(([Catalogue.declaration(of: method)] + schemas.map(\.declaration)).joined(separator: "\n\n"))
        }
        if let schema = messages[name] ?? messages.values.first(where: { $0.name.hasSuffix("." + name) }) {
            if json { return Output.emit(MessageDescriptionJSON(schema)) }
            return Output.line(schema.declaration)
        }
        throw ValidationError("no method or message \"\(name)\"; `teams describe` lists the methods")
    }
}

struct MethodDescriptionJSON: Encodable {
    var name: String
    var serverStreaming: Bool
    var request: MessageDescriptionJSON
    var response: MessageDescriptionJSON

    init(_ method: AnyMethodDescriptor, _ schemas: [MessageSchema]) {
        name = method.path
        serverStreaming = method.kind == .serverStreaming
        request = MessageDescriptionJSON(schemas[0])
        response = MessageDescriptionJSON(schemas[1])
    }
}

struct MessageDescriptionJSON: Encodable {
    struct Field: Encodable {
        var name: String
        var jsonName: String
        var number: UInt32
        var type: String
        var repeated: Bool
    }
    var name: String
    var fields: [Field]

    init(_ schema: MessageSchema) {
        name = schema.name
        fields = schema.fields.map { Field(name: $0.name, jsonName: $0.jsonName, number: $0.number, type: "\($0.kind)", repeated: $0.label == .repeated) }
    }
}
