#!/usr/bin/env python3
"""Generates the Swift side of proto/: message value types bridged to protoc-c
structs (decoded by protoc-c, encoded straight from the Swift fields into the same
bytes), typed method descriptors, a client stub and a server protocol per service.

Input is a FileDescriptorSet (`protoc-c --descriptor_set_out --include_source_info`);
it is read with the small protobuf decoder below, so nothing needs installing.

    protoc-gen-swift-bridge.py DESCRIPTOR_SET PACKAGE=SWIFT_DIR[:IMPORT,...] ...

Each proto file of PACKAGE becomes SWIFT_DIR/<path>.pb.swift (its messages and enums)
and, when it declares services, SWIFT_DIR/<path>.rpc.swift. IMPORT lists the modules
the generated files import (the protoc-c C module, and RPCCore when the output lives
elsewhere). A proto construct the bridge cannot carry stops the run with its name.
"""
import os
import sys

# ---------------------------------------------------------------------------
# A minimal protobuf decoder: enough of descriptor.proto for this generator.


def read_varint(data, pos):
    result, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7


def fields(data):
    """Yields (number, value) for each field; length-delimited values are bytes."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 2:
            length, pos = read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise SystemExit(f"protoc-gen-swift-bridge: unsupported wire type {wire} in the descriptor set")
        yield number, value


def packed_varints(value):
    out, pos = [], 0
    while pos < len(value):
        item, pos = read_varint(value, pos)
        out.append(item)
    return out


# descriptor.proto field numbers and enum values used below.
TYPE_NAMES = {3: "int64", 4: "uint64", 5: "int32", 8: "bool", 9: "string", 11: "message", 13: "uint32", 14: "enum"}
SWIFT_SCALARS = {"int64": ("Int64", "0"), "uint64": ("UInt64", "0"), "int32": ("Int32", "0"), "uint32": ("UInt32", "0"),
                 "bool": ("Bool", "false"), "string": ("String", '""')}
LABEL_REPEATED = 3
SWIFT_KEYWORDS = {"default", "case", "class", "enum", "extension", "func", "import", "init", "internal", "let", "operator",
                  "private", "protocol", "public", "return", "self", "static", "struct", "subscript", "switch", "var",
                  "where", "while", "in", "is", "as", "do", "for", "if", "else", "repeat", "throw", "throws", "try", "Type"}


class Node:
    """A decoded message of descriptor.proto, as lists of field values by number."""

    def __init__(self, data):
        self.values = {}
        for number, value in fields(data):
            self.values.setdefault(number, []).append(value)

    def string(self, number, default=""):
        return self.values[number][-1].decode() if number in self.values else default

    def int(self, number, default=0):
        return self.values[number][-1] if number in self.values else default

    def node(self, number):
        return Node(self.values[number][-1]) if number in self.values else None

    def nodes(self, number):
        return [Node(value) for value in self.values.get(number, [])]


# ---------------------------------------------------------------------------
# Naming: protoc-c's C names and swift-protobuf-style Swift names.


def camel_to_lower(name):
    """protoc-c's CamelToLower: ListMethodsResponse -> list_methods_response."""
    out = ""
    for index, char in enumerate(name):
        if char.isupper() and index > 0:
            out += "_"
        out += char.lower()
    return out


def upper_camel(word):
    return word[:1].upper() + word[1:]


def lower_camel(snake):
    words = [w for w in snake.lower().split("_") if w]
    if not words:
        return snake
    name = words[0] + "".join("ID" if w == "id" else upper_camel(w) for w in words[1:])
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def swift_package_prefix(package):
    return "_".join(upper_camel(part) for part in package.split(".")) + "_"


def c_package_prefix(package):
    return "__".join(upper_camel(part) for part in package.split(".")) + "__"


def doc(comment, indent):
    lines = [line.strip() for line in comment.strip("\n").split("\n")] if comment else []
    return "".join(f"{indent}/// {line}".rstrip() + "\n" for line in lines)


# ---------------------------------------------------------------------------
# The model: messages, enums and services of one proto file.


class Enum:
    def __init__(self, node, package, scope, comments, path):
        self.proto_name = node.string(1)
        self.full_name = ".".join(filter(None, [package] + scope + [self.proto_name]))
        self.swift_name = swift_package_prefix(package) + ".".join(scope + [self.proto_name])
        self.nested = bool(scope)
        self.comment = comments.get(tuple(path), "")
        prefix = camel_to_lower(self.proto_name).upper() + "_"
        self.values = []
        for index, value in enumerate(node.nodes(2)):
            name = value.string(1)
            number = value.int(2)
            # A negative number is a 64-bit two's complement varint (10 bytes) in the descriptor.
            if number >= 1 << 63:
                number -= 1 << 64
            case = lower_camel(name[len(prefix):] if name.startswith(prefix) else name)
            self.values.append((case, number, comments.get(tuple(path + [2, index]), "")))
        if not self.values or self.values[0][1] != 0:
            raise SystemExit(f"protoc-gen-swift-bridge: enum {self.full_name} must start with a 0 value (proto3)")


class Field:
    def __init__(self, node, comment):
        self.proto_name = node.string(1)
        self.swift_name = lower_camel(self.proto_name)
        self.number = node.int(3)
        self.repeated = node.int(4) == LABEL_REPEATED
        type_number = node.int(5)
        if type_number not in TYPE_NAMES:
            raise SystemExit(f"protoc-gen-swift-bridge: field {self.proto_name} has type {type_number}, which the bridge does not carry yet")
        self.type = TYPE_NAMES[type_number]
        self.type_name = node.string(6)
        self.comment = comment
        if self.repeated and self.type != "message":
            raise SystemExit(f"protoc-gen-swift-bridge: repeated {self.type} field {self.proto_name} is not supported yet")
        if self.swift_name in ("c", "message"):
            raise SystemExit(f"protoc-gen-swift-bridge: field {self.proto_name} would hide the generated View's `{self.swift_name}`; rename it")
        if 9 in node.values or node.int(17):
            raise SystemExit(f"protoc-gen-swift-bridge: field {self.proto_name} is in a oneof or optional, which the bridge does not carry yet")


class Message:
    def __init__(self, node, package, scope, comments, path, registry):
        self.proto_name = node.string(1)
        self.scope = scope
        self.full_name = ".".join(filter(None, [package] + scope + [self.proto_name]))
        self.swift_name = swift_package_prefix(package) + ".".join(scope + [self.proto_name])
        self.c_name = c_package_prefix(package) + "__".join(scope + [self.proto_name])
        self.c_descriptor = "__".join(part.lower() for part in package.split(".")) + "__" + \
            "__".join(camel_to_lower(part) for part in scope + [self.proto_name]) + "__descriptor"
        self.comment = comments.get(tuple(path), "")
        self.fields = [Field(f, comments.get(tuple(path + [2, i]), "")) for i, f in enumerate(node.nodes(2))]
        self.nested = [Message(n, package, scope + [self.proto_name], comments, path + [3, i], registry)
                       for i, n in enumerate(node.nodes(3))]
        self.enums = [Enum(e, package, scope + [self.proto_name], comments, path + [4, i]) for i, e in enumerate(node.nodes(4))]
        registry["." + self.full_name] = self
        for enum in self.enums:
            registry["." + enum.full_name] = enum


class Method:
    def __init__(self, node, comment):
        self.name = node.string(1)
        self.input = node.string(2)
        self.output = node.string(3)
        self.client_streaming = bool(node.int(5))
        self.server_streaming = bool(node.int(6))
        # MethodOptions (field 4).idempotency_level (field 34): 1 NO_SIDE_EFFECTS, 2 IDEMPOTENT.
        options = node.node(4)
        self.idempotency = {1: ".noSideEffects", 2: ".idempotent"}.get(options.int(34) if options else 0)
        self.comment = comment
        if self.client_streaming:
            raise SystemExit(f"protoc-gen-swift-bridge: client-streaming method {self.name} is not supported by the protocol")


class Service:
    def __init__(self, node, package, comments, path):
        self.name = node.string(1)
        self.full_name = f"{package}.{self.name}"
        self.swift_name = swift_package_prefix(package) + self.name
        self.c_descriptor = "__".join(part.lower() for part in package.split(".")) + "__" + camel_to_lower(self.name) + "__descriptor"
        self.comment = comments.get(tuple(path), "")
        self.methods = [Method(m, comments.get(tuple(path + [2, i]), "")) for i, m in enumerate(node.nodes(2))]


class ProtoFile:
    def __init__(self, node, registry):
        self.name = node.string(1)
        self.package = node.string(2)
        comments = {}
        for info in node.nodes(9):
            for location in info.nodes(1):
                path = packed_varints(location.values[1][-1]) if 1 in location.values else []
                leading = location.string(3)
                if leading:
                    comments[tuple(path)] = leading
        self.messages = [Message(m, self.package, [], comments, [4, i], registry) for i, m in enumerate(node.nodes(4))]
        self.enums = [Enum(e, self.package, [], comments, [5, i]) for i, e in enumerate(node.nodes(5))]
        for enum in self.enums:
            registry["." + enum.full_name] = enum
        self.services = [Service(s, self.package, comments, [6, i]) for i, s in enumerate(node.nodes(6))]


# ---------------------------------------------------------------------------
# Swift output.

HEADER = "// Generated by scripts/protoc-gen-swift-bridge.py from {source}. DO NOT EDIT.\n// Regenerate with scripts/generate-proto.\n"


def swift_type(field, registry):
    if field.type in SWIFT_SCALARS:
        return SWIFT_SCALARS[field.type]
    target = registry[field.type_name]
    if field.type == "enum":
        return target.swift_name, "." + target.values[0][0]
    if field.repeated:
        return f"[{target.swift_name}]", "[]"
    return f"{target.swift_name}?", "nil"


def emit_enum(enum, out, indent):
    out.append(doc(enum.comment, indent) or f"{indent}/// `{enum.full_name}`.\n")
    out.append(f"{indent}public enum {enum.proto_name if enum.nested else enum.swift_name}: Sendable, Hashable {{\n")
    for case, number, comment in enum.values:
        out.append(doc(comment, indent + "    "))
        out.append(f"{indent}    case {case}  // = {number}\n")
    out.append(f"{indent}    /// A number this version of proto/ does not name; proto3 enums are open.\n")
    out.append(f"{indent}    case unrecognized(Int32)\n\n")
    out.append(f"{indent}    public init(rawValue: Int32) {{\n{indent}        switch rawValue {{\n")
    for case, number, _ in enum.values:
        out.append(f"{indent}        case {number}: self = .{case}\n")
    out.append(f"{indent}        default: self = .unrecognized(rawValue)\n{indent}        }}\n{indent}    }}\n\n")
    out.append(f"{indent}    public var rawValue: Int32 {{\n{indent}        switch self {{\n")
    for case, number, _ in enum.values:
        out.append(f"{indent}        case .{case}: {number}\n")
    out.append(f"{indent}        case .unrecognized(let value): value\n{indent}        }}\n{indent}    }}\n{indent}}}\n")


def emit_message(message, registry, out, indent=""):
    name = message.proto_name if message.scope else message.swift_name
    out.append(doc(message.comment, indent) or f"{indent}/// `{message.full_name}`.\n")
    out.append(f"{indent}public struct {name}: Sendable, Hashable {{\n")
    inner = indent + "    "
    params = []
    for field in message.fields:
        type_name, default = swift_type(field, registry)
        out.append(doc(field.comment, inner))
        out.append(f"{inner}public var {field.swift_name}: {type_name}\n")
        params.append((field.swift_name, type_name, default))
    if params:
        out.append("\n")
    signature = ", ".join(f"{n.strip('`')}: {t} = {d}" for n, t, d in params)
    out.append(f"{inner}public init({signature}) {{\n")
    for n, _, _ in params:
        out.append(f"{inner}    self.{n} = {n.strip('`')}\n")
    out.append(f"{inner}}}\n")
    for nested in message.nested:
        out.append("\n")
        emit_message(nested, registry, out, inner)
    for enum in message.enums:
        out.append("\n")
        emit_enum(enum, out, inner)
    out.append(f"{indent}}}\n")


def emit_bridge(message, registry, out):
    """The conversions to and from the protoc-c struct, at file scope."""
    out.append(f"\nextension {message.swift_name}: CBridgedMessage {{\n")
    out.append(f"    public typealias CMessage = {message.c_name}\n\n")
    out.append(f"    @inlinable\n    public static var descriptor: UnsafePointer<ProtobufCMessageDescriptor> {{ {message.c_descriptor}_ptr() }}\n\n")
    # C to Swift.
    arguments = []
    for field in message.fields:
        c = f"message.pointee.{field.proto_name}"
        if field.type == "string":
            value = f"try CBridge.string({c})"
        elif field.type == "bool":
            value = f"{c} != 0"
        elif field.type == "enum":
            value = f"{registry[field.type_name].swift_name}(rawValue: Int32(truncatingIfNeeded: {c}.rawValue))"
        elif field.type == "message" and field.repeated:
            value = f"try CBridge.repeated({c}, count: message.pointee.n_{field.proto_name})"
        elif field.type == "message":
            value = f"try CBridge.optional({c})"
        else:
            value = c
        arguments.append(f"{field.swift_name.strip('`')}: {value}")
    parameter = "message" if message.fields else "_"
    out.append(f"    @inlinable\n    public init(c {parameter}: UnsafePointer<{message.c_name}>) throws(WireError) {{\n")
    if arguments:
        out.append("        self.init(\n            " + ",\n            ".join(arguments) + ")\n")
    else:
        out.append("        self.init()\n")
    out.append("    }\n\n")
    # Swift to C.
    out.append(f"    @inlinable\n    public func c(in arena: Arena) throws(WireError) -> UnsafeMutablePointer<{message.c_name}> {{\n")
    out.append("        let message = try arena.message(Self.self)\n")
    for field in message.fields:
        c = f"message.pointee.{field.proto_name}"
        value = f"self.{field.swift_name}"
        if field.type == "string":
            out.append(f"        {c} = try arena.cString({value})\n")
        elif field.type == "bool":
            out.append(f"        {c} = {value} ? 1 : 0\n")
        elif field.type == "enum":
            out.append(f"        {c} = .init(rawValue: .init(truncatingIfNeeded: {value}.rawValue))\n")
        elif field.type == "message" and field.repeated:
            out.append(f"        {c} = try arena.array({value})\n")
            out.append(f"        message.pointee.n_{field.proto_name} = {value}.count\n")
        elif field.type == "message":
            out.append(f"        {c} = try {value}.map {{ (value) throws(WireError) in try value.c(in: arena) }}\n")
        else:
            out.append(f"        {c} = {value}\n")
    out.append("        return message\n    }\n}\n")


def emit_view(message, registry, out):
    """The `View`: the fields read in place from the unpacked struct, for an answer
    given while the struct lives (a handler's `…WithoutWaiting`)."""
    out.append(f"\nextension {message.swift_name} {{\n")
    out.append(f"    /// `{message.full_name}` read in place from protoc-c's unpacked struct; valid only while\n")
    out.append("    /// that struct lives (see `CMessageView`).\n")
    out.append("    public struct View: CMessageView {\n")
    out.append(f"        public typealias Message = {message.swift_name}\n\n")
    out.append(f"        public let c: UnsafePointer<{message.c_name}>\n\n")
    out.append(f"        @inlinable\n        public init(_ c: UnsafePointer<{message.c_name}>) {{\n            self.c = c\n        }}\n")
    for field in message.fields:
        c = f"c.pointee.{field.proto_name}"
        if field.type == "string":
            kind, value = "CText", f"CText({c})"
        elif field.type == "bool":
            kind, value = "Bool", f"{c} != 0"
        elif field.type == "enum":
            kind = registry[field.type_name].swift_name
            value = f"{kind}(rawValue: Int32(truncatingIfNeeded: {c}.rawValue))"
        elif field.type == "message" and field.repeated:
            target = registry[field.type_name].swift_name
            kind, value = f"CRepeatedView<{target}.View>", f"CRepeatedView({c}, count: c.pointee.n_{field.proto_name})"
        elif field.type == "message":
            target = registry[field.type_name].swift_name
            kind, value = f"{target}.View?", f"{c}.map {{ {target}.View(UnsafePointer($0)) }}"
        else:
            kind, value = SWIFT_SCALARS[field.type][0], c
        out.append(f"\n        @inlinable\n        public var {field.swift_name}: {kind} {{ {value} }}\n")
    out.append("    }\n}\n")


# How each field type is sized and written by `ProtobufSize` and `ProtobufWriter` (RPCCore).
PACKING = {"string": "string", "bool": "bool", "int32": "int32", "enum": "int32", "uint32": "varint",
           "uint64": "varint", "int64": "varint"}


def emit_packing(message, out):
    """The `PackedMessage` conformance: the encoding written straight from the Swift fields,
    in field-number order as protobuf_c_message_pack writes it."""
    terms = []
    for field in sorted(message.fields, key=lambda f: f.number):
        value = f"{field.swift_name}"
        if field.type == "message":
            function = "messages" if field.repeated else "message"
        else:
            function = PACKING[field.type]
        if field.type == "enum":
            value += ".rawValue"
        elif field.type == "uint32":
            value = f"UInt64({value})"
        elif field.type == "int64":
            value = f"UInt64(bitPattern: {value})"
        terms.append((function, field.number, value))
    out.append(f"\nextension {message.swift_name}: PackedMessage {{\n")
    size = " + ".join(f"ProtobufSize.{f}({n}, {v})" for f, n, v in terms) or "0"
    out.append(f"    @inlinable\n    public var packedSize: Int {{\n        {size}\n    }}\n\n")
    parameter = "writer" if terms else "_"
    out.append(f"    @inlinable\n    public func pack(into {parameter}: inout ProtobufWriter) {{\n")
    for function, number, value in terms:
        out.append(f"        writer.{function}({number}, {value})\n")
    out.append("    }\n}\n")


def all_messages(messages):
    for message in messages:
        yield message
        yield from all_messages(message.nested)


def emit_messages_file(proto, registry, imports):
    out = [HEADER.format(source=f"proto/{proto.name}")]
    out.extend(f"import {module}\n" for module in imports)
    for enum in proto.enums:
        out.append("\n")
        emit_enum(enum, out, "")
    for message in proto.messages:
        out.append("\n")
        emit_message(message, registry, out)
    for message in all_messages(proto.messages):
        emit_bridge(message, registry, out)
        emit_view(message, registry, out)
        emit_packing(message, out)
    return "".join(out)


def emit_services_file(proto, registry, imports):
    out = [HEADER.format(source=f"proto/{proto.name}")]
    out.extend(f"import {module}\n" for module in imports)
    for service in proto.services:
        s = service.swift_name
        out.append("\n" + (doc(service.comment, "") or f"/// `{service.full_name}`.\n"))
        out.append(f"public enum {s} {{\n")
        out.append(f"    /// The service as protoc-c describes it; the server's method table is built from this.\n")
        out.append(f"    public static let wireService = WireService({service.c_descriptor}_ptr())\n\n")
        out.append("    /// One descriptor per method: the only place its name and types are written.\n")
        out.append("    public enum Method {\n")
        for method in service.methods:
            kind = ".serverStreaming" if method.server_streaming else ".unary"
            out.append(doc(method.comment, "        "))
            out.append(f"        public static let {lower_camel(camel_to_lower(method.name))} = MethodDescriptor<{registry[method.input].swift_name}, {registry[method.output].swift_name}>(\n")
            idempotency = f", idempotency: {method.idempotency}" if method.idempotency else ""
            out.append(f"            service: \"{service.full_name}\", method: \"{method.name}\", kind: {kind}{idempotency})\n")
        names = ", ".join(f"{lower_camel(camel_to_lower(m.name))}.erased" for m in service.methods)
        out.append(f"\n        /// Every method, in declaration order.\n        public static let all: [AnyMethodDescriptor] = [{names}]\n    }}\n\n")

        # Server protocol.
        out.append(f"    /// What a server implements: one requirement per method.\n")
        out.append("    public protocol ServiceProtocol: Sendable {\n")
        for method in service.methods:
            fn = lower_camel(camel_to_lower(method.name))
            i, o = registry[method.input].swift_name, registry[method.output].swift_name
            out.append(doc(method.comment, "        "))
            if method.server_streaming:
                out.append(f"        func {fn}(_ request: {i}, stream: ServerStream<{o}>, context: ServerContext) async throws(RPCError)\n")
            else:
                out.append(f"        func {fn}(_ request: {i}, context: ServerContext) async throws(RPCError) -> {o}\n")
                out.append(f"        /// `{fn}` answered on the event loop without suspending, when the server can: a\n")
                out.append(f"        /// response or an error ends the call with no task; nil runs `{fn}`. Must not block.\n")
                out.append(f"        /// The request is read in place, valid only until this returns.\n")
                out.append(f"        func {fn}WithoutWaiting(_ request: {i}.View, context: ServerContext) throws(RPCError) -> {o}?\n")
        out.append("    }\n\n")

        # Client stub.
        out.append("    /// A typed client over any `RPCConnection`: one method per RPC.\n")
        out.append("    public struct Client: Sendable {\n        public let connection: RPCConnection\n\n")
        out.append("        public init(wrapping connection: RPCConnection) {\n            self.connection = connection\n        }\n")
        for method in service.methods:
            fn = lower_camel(camel_to_lower(method.name))
            i, o = registry[method.input].swift_name, registry[method.output].swift_name
            out.append("\n" + doc(method.comment, "        "))
            if method.server_streaming:
                out.append(f"        public func {fn}(_ request: {i}, options: CallOptions = CallOptions()) -> AsyncThrowingStream<{o}, any Error> {{\n")
                out.append(f"            connection.serverStreaming(Method.{fn}, request, options: options)\n        }}\n")
            else:
                out.append(f"        public func {fn}(_ request: {i}, options: CallOptions = CallOptions()) async throws(RPCError) -> {o} {{\n")
                out.append(f"            try await connection.unary(Method.{fn}, request, options: options)\n        }}\n")
        out.append("    }\n}\n")

        # Registration, and the default of each unary method's answer without waiting.
        out.append(f"\nextension {s}.ServiceProtocol {{\n")
        for method in service.methods:
            if method.server_streaming:
                continue
            fn = lower_camel(camel_to_lower(method.name))
            i, o = registry[method.input].swift_name, registry[method.output].swift_name
            out.append(f"    /// By default `{fn}` always waits: it runs in a task.\n")
            out.append(f"    public func {fn}WithoutWaiting(_ request: {i}.View, context: ServerContext) throws(RPCError) -> {o}? {{ nil }}\n\n")
        out.append("    /// Attaches every method of the service to `methods`.\n")
        out.append("    public func registerMethods(with methods: inout MethodTable.Registrar) {\n")
        for method in service.methods:
            fn = lower_camel(camel_to_lower(method.name))
            if method.server_streaming:
                out.append(f"        methods.serverStreaming({s}.Method.{fn}) {{ request, stream, context throws(RPCError) in\n")
                out.append(f"            try await self.{fn}(request, stream: stream, context: context)\n        }}\n")
            else:
                out.append(f"        methods.unary(\n            {s}.Method.{fn},\n")
                out.append(f"            immediately: {{ request, context throws(RPCError) in try self.{fn}WithoutWaiting(request, context: context) }},\n")
                out.append(f"            {{ request, context throws(RPCError) in try await self.{fn}(request, context: context) }})\n")
        out.append("    }\n}\n")
    return "".join(out)


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1], "rb") as handle:
        descriptor_set = Node(handle.read())
    targets = {}
    for spec in sys.argv[2:]:
        package, _, rest = spec.partition("=")
        directory, _, imports = rest.partition(":")
        targets[package] = (directory, [m for m in imports.split(",") if m])
    registry = {}
    files = [ProtoFile(node, registry) for node in descriptor_set.nodes(1)]
    written = 0
    for proto in files:
        if proto.package not in targets:
            continue
        directory, imports = targets[proto.package]
        base = os.path.join(directory, proto.name[:-len(".proto")])
        os.makedirs(os.path.dirname(base), exist_ok=True)
        with open(base + ".pb.swift", "w") as handle:
            handle.write(emit_messages_file(proto, registry, imports))
        written += 1
        if proto.services:
            with open(base + ".rpc.swift", "w") as handle:
                handle.write(emit_services_file(proto, registry, imports))
            written += 1
    print(f"protoc-gen-swift-bridge: wrote {written} Swift files")


if __name__ == "__main__":
    main()
