import Logging
import NIOCore
import NIOPosix
@testable import RPCCore
import Synchronization
import TeamsProto
import XCTest

/// A `ServerConnection` driven byte by byte, with no transport: what each kind of
/// frame gets back.
final class ServerConnectionTests: XCTestCase {
    let loop = MultiThreadedEventLoopGroup.singleton.next()
    let check = Teams_V1_Health.Method.check
    let listMethods = Teams_V1_Health.Method.listMethods

    /// A table whose Check answers at once and whose ListMethods waits for `release`.
    func table(release: AsyncStream<Void>? = nil) -> MethodTable {
        MethodTable(services: [Teams_V1_Health.wireService]) { methods in
            methods.unary(check) { _, context in Teams_V1_CheckResponse(status: .serving, store: context.path) }
            if let release {
                methods.unary(listMethods) { _, _ in
                    for await _ in release { break }
                    return Teams_V1_ListMethodsResponse()
                }
            }
        }
    }

    /// Feeds `input` as one read batch; what it wrote is in the box's output once this returns.
    func serve(_ input: [ByteBuffer], table: MethodTable, limits: ServerConnection.Limits = .init(maximumFrameLength: 1024, maximumBufferedOutput: 1 << 20)) async throws -> RecordingOutput {
        let box = RecordingOutputBox()
        try await loop.submit {
            let connection = ServerConnection(table: table, loop: self.loop, executor: EventLoopTaskExecutor(loop: self.loop), limits: limits, logger: Logger(label: "test"))
            box.connection = connection
            connection.attach(box.output)
            for bytes in input { connection.receive(bytes) }
            connection.receiveComplete()
        }.get()
        return box.output
    }

    func testAKnownMethodIsAnsweredWithItsResponse() async throws {
        let output = try await serve([.request(callID: 3, path: check.path, Teams_V1_CheckRequest())], table: table())
        let responses = try output.responses()
        XCTAssertEqual(responses.map(\.callID), [3])
        XCTAssertEqual(responses[0].head.status, .ok)
        XCTAssertEqual(try Teams_V1_CheckResponse(decoding: responses[0].payload), Teams_V1_CheckResponse(status: .serving, store: check.path))
    }

    func testABoundRefNeedsNoNameAndAnUnboundOneIsUnimplemented() async throws {
        let output = try await serve([
            .request(callID: 1, path: check.path, Teams_V1_CheckRequest(), ref: 4),
            .request(callID: 2, path: check.path, Teams_V1_CheckRequest(), ref: 4, named: false),
            .request(callID: 3, path: check.path, Teams_V1_CheckRequest(), ref: 5, named: false),
        ], table: table())
        XCTAssertEqual(try output.responses().map(\.head.status), [.ok, .ok, .unimplemented])
    }

    func testUnknownAndUnimplementedMethodsAreUnimplemented() async throws {
        let output = try await serve([
            .request(callID: 1, path: "/nope.Service/Nope", Teams_V1_CheckRequest()),
            .request(callID: 2, path: listMethods.path, Teams_V1_ListMethodsRequest()),
        ], table: table())
        let responses = try output.responses()
        XCTAssertEqual(responses.map(\.head.status), [.unimplemented, .unimplemented])
        XCTAssertTrue(responses[0].head.message.contains("/nope.Service/Nope"))
    }

    func testAnUndecodablePayloadIsInvalidArgument() async throws {
        let frame = try ByteBuffer.request(callID: 1, path: check.path, rawPayload: [0xff])  // no protobuf tag
        let output = try await serve([frame], table: table())
        XCTAssertEqual(try output.responses().map(\.head.status), [.invalidArgument])
    }

    func testAnOversizedRequestIsResourceExhaustedAndTheNextIsServed() async throws {
        let big = try ByteBuffer.request(callID: 1, path: check.path, Metadata.Message(entries: [.init(key: String(repeating: "k", count: 2000))]))
        let output = try await serve([big, .request(callID: 2, path: check.path, Teams_V1_CheckRequest())], table: table())
        let responses = try output.responses()
        XCTAssertEqual(responses.map(\.callID), [1, 2])
        XCTAssertEqual(responses.map(\.head.status), [.resourceExhausted, .ok])
    }

    /// A frame within the 4 MiB limit whose payload is 2-byte repeated fields needs
    /// far more memory to unpack than it has bytes: RESOURCE_EXHAUSTED, not a crash.
    func testAFourMiBFrameOfRepeatedFieldsIsResourceExhausted() async throws {
        let room = (4 << 20) - (try ByteBuffer.request(callID: 1, path: check.path, rawPayload: [])).readableBytes
        let frame = try ByteBuffer.request(callID: 1, path: check.path, rawPayload: (0..<(room - room % 2)).map { $0 % 2 == 0 ? UInt8(0x78) : 0 })  // field 15, varint 0, repeated
        let output = try await serve([frame, .request(callID: 2, path: check.path, Teams_V1_CheckRequest())], table: table(), limits: .init(maximumFrameLength: 4 << 20, maximumBufferedOutput: 1 << 20))
        XCTAssertEqual(try output.responses().map(\.head.status), [.resourceExhausted, .ok])
    }

    // MARK: Answers without a task

    /// Check answered by `immediately`, recording whether it ran outside any task; the async body answers "waited".
    func immediateTable(_ immediately: @escaping @Sendable (ServerContext) throws(RPCError) -> Teams_V1_CheckResponse?) -> MethodTable {
        MethodTable(services: [Teams_V1_Health.wireService]) { methods in
            methods.unary(check, immediately: { _, context throws(RPCError) in try immediately(context) }) { _, _ in
                Teams_V1_CheckResponse(status: .serving, store: "waited")
            }
        }
    }

    func testAnImmediateAnswerIsWrittenWithoutATask() async throws {
        let ranInATask = Mutex<Bool?>(nil)
        let table = immediateTable { _ in
            ranInATask.withLock { $0 = withUnsafeCurrentTask { $0 != nil } }
            return Teams_V1_CheckResponse(status: .serving, store: "immediate")
        }
        let responses = try await serve([.request(callID: 1, path: check.path, Teams_V1_CheckRequest())], table: table).responses()
        XCTAssertEqual(responses.map(\.head.status), [.ok])
        XCTAssertEqual(try Teams_V1_CheckResponse(decoding: responses[0].payload).store, "immediate")
        XCTAssertEqual(ranInATask.withLock { $0 }, false)
    }

    func testAnImmediateNilGoesOnToTheAsyncHandler() async throws {
        let responses = try await serve([.request(callID: 1, path: check.path, Teams_V1_CheckRequest())], table: immediateTable { _ in nil }).responses()
        XCTAssertEqual(responses.map(\.head.status), [.ok])
        XCTAssertEqual(try Teams_V1_CheckResponse(decoding: responses[0].payload).store, "waited")
    }

    func testAnImmediateErrorEndsTheCallWithItsStatus() async throws {
        let table = immediateTable { _ throws(RPCError) in throw RPCError(.notFound, "no such thing") }
        let responses = try await serve([.request(callID: 1, path: check.path, Teams_V1_CheckRequest())], table: table).responses()
        XCTAssertEqual(responses.map(\.head.status), [.notFound])
        XCTAssertEqual(responses[0].head.message, "no such thing")
    }

    func testAnImmediateHandlerReadsTheRequestInPlaceAndOnlyTheTaskBridgesIt() async throws {
        let getTeam = Teams_V1_TeamService.Method.getTeam
        let lent = Mutex<[[UInt8]]>([])
        let table = MethodTable(services: [Teams_V1_TeamService.wireService]) { methods in
            methods.unary(getTeam, immediately: { request, _ in
                lent.withLock { $0.append(Array(request.id.utf8)) }
                return nil
            }) { request, _ in Teams_V1_GetTeamResponse(team: .init(id: request.id)) }
        }
        // Field 1 (id): "ab", then two bytes that are not UTF-8.
        let input = [try ByteBuffer.request(callID: 1, path: getTeam.path, Teams_V1_GetTeamRequest(id: "ab")),
                     try .request(callID: 2, path: getTeam.path, rawPayload: [0x0A, 0x02, 0x80, 0xC3])]
        let responses = try await serve(input, table: table).responses()
        XCTAssertEqual(lent.withLock { $0 }, [Array("ab".utf8), [0x80, 0xC3]], "the view lends the bytes as received")
        XCTAssertEqual(responses.map(\.head.status), [.ok, .invalidArgument], "bridging for the task refuses what is not UTF-8")
        XCTAssertEqual(try Teams_V1_GetTeamResponse(decoding: responses[0].payload).team?.id, "ab")
    }

    func testAnImmediateHandlerSeesTheRequestsTraceParent() async throws {
        let traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let seen = Mutex<String?>(nil)
        let table = immediateTable { _ in
            seen.withLock { $0 = TraceContext.traceParent }
            return Teams_V1_CheckResponse()
        }
        var request = ByteBuffer()
        try RequestHead(methodRef: 1, methodName: check.path, metadata: [TraceContext.metadataKey: traceParent])
            .writeFrame(callID: 1, payload: Teams_V1_CheckRequest(), into: &request)
        let responses = try await serve([request], table: table).responses()
        XCTAssertEqual(responses.map(\.head.status), [.ok])
        XCTAssertEqual(seen.withLock { $0 }, traceParent)
    }

    // MARK: The generated registration

    /// A Health service as a server writes one: Check answers without waiting when
    /// `answers` says so, ListMethods keeps the generated default (it always waits).
    struct Health: Teams_V1_Health.ServiceProtocol {
        let answers: Bool
        func check(_ request: Teams_V1_CheckRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_CheckResponse {
            Teams_V1_CheckResponse(status: .serving, store: "waited")
        }
        func checkWithoutWaiting(_ request: Teams_V1_CheckRequest.View, context: ServerContext) throws(RPCError) -> Teams_V1_CheckResponse? {
            answers ? Teams_V1_CheckResponse(status: .serving, store: withUnsafeCurrentTask { $0 == nil } ? "no task" : "in a task") : nil
        }
        func listMethods(_ request: Teams_V1_ListMethodsRequest, context: ServerContext) async throws(RPCError) -> Teams_V1_ListMethodsResponse {
            Teams_V1_ListMethodsResponse(methods: [.init(name: withUnsafeCurrentTask { $0 == nil } ? "no task" : "in a task")])
        }
    }

    func generatedTable(answers: Bool) -> MethodTable {
        MethodTable(services: [Teams_V1_Health.wireService]) { Health(answers: answers).registerMethods(with: &$0) }
    }

    func testTheGeneratedRegistrationAnswersWithoutATaskWhenTheServiceCan() async throws {
        let input: [ByteBuffer] = [try .request(callID: 1, path: check.path, Teams_V1_CheckRequest()), try .request(callID: 2, path: listMethods.path, Teams_V1_ListMethodsRequest())]
        let responses = try await serve(input, table: generatedTable(answers: true)).responses()
        XCTAssertEqual(responses.map(\.callID), [1, 2])
        XCTAssertEqual(try Teams_V1_CheckResponse(decoding: responses[0].payload).store, "no task")
        XCTAssertEqual(try Teams_V1_ListMethodsResponse(decoding: responses[1].payload).methods.first?.name, "in a task", "the default waits")
    }

    func testANilAnswerGoesOnToTheMethod() async throws {
        // The body does not suspend, so its task ends within the read batch.
        let responses = try await serve([try .request(callID: 1, path: check.path, Teams_V1_CheckRequest())], table: generatedTable(answers: false)).responses()
        XCTAssertEqual(try responses.map { try Teams_V1_CheckResponse(decoding: $0.payload).store }, ["waited"])
    }

    func testAnUndecodableRequestIsInvalidArgumentBeforeEitherPath() async throws {
        let output = try await serve([try .request(callID: 1, path: check.path, rawPayload: [0x0a, 0x05])], table: generatedTable(answers: true))
        XCTAssertEqual(try output.responses().map(\.head.status), [.invalidArgument])
    }

    func testAZeroDeadlineHasPassedOnArrival() async throws {
        let output = try await serve([.request(callID: 1, path: check.path, Teams_V1_CheckRequest(), timeout: 0)], table: table())
        XCTAssertEqual(try output.responses().map(\.head.status), [.deadlineExceeded])
    }

    func testALengthBelowTheMinimumGetsAGoAwayAndACloses() async throws {
        let output = try await serve([ByteBuffer(bytes: [0, 0, 0, 2, 1, 0])], table: table())
        XCTAssertEqual(try output.frames().map(\.type), [.goAway])
        XCTAssertTrue(output.isClosed)
    }

    func testQuiescingLetsACallInFlightFinishThenCloses() async throws {
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let table = table(release: release)
        let output = RecordingOutputBox()
        try await loop.submit {
            let connection = ServerConnection(table: table, loop: self.loop, executor: EventLoopTaskExecutor(loop: self.loop), limits: .init(maximumFrameLength: 1024, maximumBufferedOutput: 1 << 20), logger: Logger(label: "test"))
            output.connection = connection
            connection.attach(output.output)
            connection.receive(try .request(callID: 1, path: self.listMethods.path, Teams_V1_ListMethodsRequest()))
            connection.receiveComplete()
            connection.quiesce()
            connection.receive(try .request(callID: 2, path: self.check.path, Teams_V1_CheckRequest()))
            connection.receiveComplete()
        }.get()
        let closedEarly = try await loop.submit { output.output.isClosed }.get()
        XCTAssertFalse(closedEarly, "a call is in flight")
        releaser.yield()
        var closed = false
        for _ in 0..<100 where !closed {
            try await Task.sleep(for: .milliseconds(10))
            closed = try await loop.submit { output.output.isClosed }.get()
        }
        XCTAssertTrue(closed)
        let statuses = try await loop.submit { try output.output.responses().map { "\($0.callID) \($0.head.status)" } }.get()
        XCTAssertEqual(statuses, ["2 UNAVAILABLE", "1 OK"])
        let goAway = try await loop.submit { () -> GoAway in
            var body = try output.output.frames().first { $0.type == .goAway }!.body
            return GoAway.read(from: &body)
        }.get()
        XCTAssertEqual(goAway.lastCallID, 1, "call 1 was accepted before the drain; call 2 came after")
        XCTAssertEqual(goAway.error.code, .unavailable)
    }

    func testAPingIsAnsweredWithAPongCarryingItsValue() async throws {
        var ping = ByteBuffer()
        writeKeepaliveFrame(.ping, value: 77, into: &ping)
        let output = try await serve([ping], table: table())
        let frames = try output.frames()
        XCTAssertEqual(frames.map(\.type), [.pong])
        XCTAssertEqual(frames.map(\.callID), [77])
    }

    func testPingingFasterThanTheMinimumIntervalGetsAGoAwayOnTheThirdStrike() async throws {
        var pings = ByteBuffer()
        for value in 1...4 as ClosedRange<UInt32> { writeKeepaliveFrame(.ping, value: value, into: &pings) }
        let output = try await serve([pings], table: table())
        let frames = try output.frames()
        XCTAssertEqual(frames.map(\.type), [.pong, .pong, .pong, .goAway])
        var body = frames[3].body
        XCTAssertEqual(GoAway.read(from: &body).error, RPCError(.resourceExhausted, "too many pings"))
        XCTAssertTrue(output.isClosed)
    }

    func testCallsBeyondTheInFlightLimitAreResourceExhaustedAndTheConnectionStays() async throws {
        let (release, releaser) = AsyncStream<Void>.makeStream()
        var limits = ServerConnection.Limits(maximumFrameLength: 1024, maximumBufferedOutput: 1 << 20)
        limits.maximumCallsInFlight = 1
        let output = try await serve([
            .request(callID: 1, path: listMethods.path, Teams_V1_ListMethodsRequest()),
            .request(callID: 2, path: listMethods.path, Teams_V1_ListMethodsRequest()),
        ], table: table(release: release), limits: limits)
        XCTAssertEqual(try output.responses().map { "\($0.callID) \($0.head.status)" }, ["2 RESOURCE_EXHAUSTED"])
        XCTAssertFalse(output.isClosed)
        releaser.finish()
    }

    func testAPeerStalledInsideAFrameIsClosed() async throws {
        var limits = ServerConnection.Limits(maximumFrameLength: 1024, maximumBufferedOutput: 1 << 20)
        limits.frameReadTimeout = .milliseconds(40)
        let half = try ByteBuffer.request(callID: 1, path: check.path, Teams_V1_CheckRequest()).getSlice(at: 0, length: 8)!
        let output = try await serve([half], table: table(), limits: limits)
        try await waitUntilClosed(output)
        let frames = try await loop.submit { try output.frames() }.get()
        XCTAssertEqual(frames.map(\.type), [.goAway])
        var body = frames[0].body
        XCTAssertEqual(GoAway.read(from: &body).error.code, .deadlineExceeded)
    }

    /// Skipping an oversized frame's body is being inside a frame: a peer trickling it
    /// is held to the frame-read timeout, though every byte it sends is consumed at once.
    func testAPeerTricklingAnOversizedFrameIsClosed() async throws {
        var limits = ServerConnection.Limits(maximumFrameLength: 1024, maximumBufferedOutput: 1 << 20)
        limits.frameReadTimeout = .milliseconds(60)
        var header = ByteBuffer()
        header.writeMultipleIntegers(UInt32(5 << 20), FrameType.request.rawValue, UInt8(0), UInt32(1))
        let box = RecordingOutputBox()
        try await loop.submit {
            let connection = ServerConnection(table: self.table(), loop: self.loop, executor: EventLoopTaskExecutor(loop: self.loop), limits: limits, logger: Logger(label: "test"))
            box.connection = connection
            connection.attach(box.output)
            connection.receive(header)
            connection.receiveComplete()
        }.get()
        // One byte every 10 ms: never idle, never a complete frame.
        for _ in 0..<100 {
            if try await loop.submit({ box.output.isClosed }).get() { break }
            try await loop.submit {
                box.connection?.receive(ByteBuffer(bytes: [0]))
                box.connection?.receiveComplete()
            }.get()
            try await Task.sleep(for: .milliseconds(10))
        }
        try await waitUntilClosed(box.output)
        let frames = try await loop.submit { try box.output.frames() }.get()
        XCTAssertEqual(frames.map(\.type), [.response, .goAway])
        var body = frames[1].body
        XCTAssertEqual(GoAway.read(from: &body).error.code, .deadlineExceeded)
    }

    func testAnIdleConnectionGetsAGoAwayAndIsClosed() async throws {
        var limits = ServerConnection.Limits(maximumFrameLength: 1024, maximumBufferedOutput: 1 << 20)
        limits.idleTimeout = .milliseconds(40)
        let output = try await serve([.request(callID: 1, path: check.path, Teams_V1_CheckRequest())], table: table(), limits: limits)
        try await waitUntilClosed(output)
        let frames = try await loop.submit { try output.frames() }.get()
        XCTAssertEqual(frames.map(\.type), [.response, .goAway])
        var body = frames[1].body
        XCTAssertEqual(GoAway.read(from: &body), GoAway(error: RPCError(.unavailable, "idle for 40 ms"), lastCallID: 1))
    }

    func testADrainAnswersWhatIsLeftUnavailableWhenItsTimeoutPasses() async throws {
        let (release, releaser) = AsyncStream<Void>.makeStream()
        var limits = ServerConnection.Limits(maximumFrameLength: 1024, maximumBufferedOutput: 1 << 20)
        limits.drainTimeout = .milliseconds(30)
        let box = RecordingOutputBox()
        let table = table(release: release)
        try await loop.submit {
            let connection = ServerConnection(table: table, loop: self.loop, executor: EventLoopTaskExecutor(loop: self.loop), limits: limits, logger: Logger(label: "test"))
            box.connection = connection
            connection.attach(box.output)
            connection.receive(try .request(callID: 1, path: self.listMethods.path, Teams_V1_ListMethodsRequest()))
            connection.receiveComplete()
            connection.quiesce()
        }.get()
        try await waitUntilClosed(box.output)
        let statuses = try await loop.submit { try box.output.responses().map(\.head.status) }.get()
        XCTAssertEqual(statuses, [.unavailable])
        releaser.finish()
    }

    private func waitUntilClosed(_ output: RecordingOutput) async throws {
        for _ in 0..<300 {
            if try await loop.submit({ output.isClosed }).get() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTFail("the connection was not closed within 3 s")
    }
}

/// Holds a connection and its output across hops to the loop.
final class RecordingOutputBox: @unchecked Sendable {
    let output = RecordingOutput()
    var connection: ServerConnection?
}
