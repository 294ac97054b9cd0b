import NIOCore
@testable import RPCCore
import XCTest

final class CallerGateTests: XCTestCase {
    /// Token "r" names a reader, who may call /s/Read only; anonymous callers may call /s/Health.
    struct Authenticator: CallerAuthenticator {
        func authenticate(token: [UInt8], from address: String?) -> Result<Caller, RPCError> {
            token == Array("r".utf8) ? .success(Caller(name: "reader-1", role: "reader")) : .failure(RPCError(.unauthenticated, "unknown token"))
        }
        func caller(forCertificateName name: String) -> Caller? { name == "alice" ? Caller(name: "alice", role: "writer") : nil }
        func allows(_ caller: Caller?, toCall path: String) -> Bool {
            switch caller?.role {
            case nil: path == "/s/Health"
            case "reader": path != "/s/Write"
            default: true
            }
        }
    }

    let paths = ["/s/Health", "/s/Read", "/s/Write"]

    func auth(scheme: UInt8 = AuthScheme.bearerToken, token: String, trailing: [UInt8] = []) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(scheme)
        buffer.writeInteger(UInt16(token.utf8.count))
        buffer.writeString(token)
        buffer.writeBytes(trailing)
        return buffer
    }

    func testWithoutAnAuthenticatorEveryoneMayCallEverything() {
        var gate = CallerGate(authenticator: nil, peerAddress: nil, paths: paths)
        XCTAssertFalse(gate.authenticates)
        XCTAssertTrue(paths.indices.allSatisfy(gate.allows))
        XCTAssertNil(gate.authenticate(frameBody: auth(token: "r")), "an AUTH frame is ignored")
        XCTAssertNil(gate.caller)
    }

    func testATokenNamesTheCallerAndWhatTheyMayCall() throws {
        var gate = CallerGate(authenticator: Authenticator(), peerAddress: "10.0.0.1", paths: paths)
        XCTAssertEqual(paths.indices.map(gate.allows), [true, false, false], "anonymous")
        XCTAssertEqual(gate.denial(of: 1), RPCError(.unauthenticated, "authenticate with a token (AUTH frame) or a client certificate"))
        XCTAssertEqual(try gate.authenticate(frameBody: auth(token: "r"))?.get(), Caller(name: "reader-1", role: "reader"))
        XCTAssertEqual(paths.indices.map(gate.allows), [true, true, false])
        XCTAssertEqual(gate.denial(of: 2), RPCError(.permissionDenied, "caller reader-1 (reader) may not call /s/Write"))
        XCTAssertNil(gate.authenticate(certificateName: "alice"), "a caller is named once")
    }

    func testABadAuthFrameOrTokenIsRefused() {
        var gate = CallerGate(authenticator: Authenticator(), peerAddress: nil, paths: paths)
        let malformed = "an AUTH frame carries scheme 1 and a token of 1 to 1024 bytes, and nothing after it"
        for body in [auth(scheme: 2, token: "r"), auth(token: ""), auth(token: "r", trailing: [0]), ByteBuffer(bytes: [1, 0])] {
            guard case .failure(let error) = gate.authenticate(frameBody: body) else { return XCTFail("accepted \(body)") }
            XCTAssertEqual(error, RPCError(.unauthenticated, malformed))
        }
        guard case .failure(let error) = gate.authenticate(frameBody: auth(token: "x")) else { return XCTFail("accepted a wrong token") }
        XCTAssertEqual(error.message, "unknown token")
        XCTAssertNil(gate.caller)
    }

    func testACertificateNamesItsCaller() {
        var gate = CallerGate(authenticator: Authenticator(), peerAddress: nil, paths: paths)
        XCTAssertNil(gate.authenticate(certificateName: "mallory"))
        XCTAssertEqual(gate.authenticate(certificateName: "alice"), Caller(name: "alice", role: "writer"))
        XCTAssertTrue(paths.indices.allSatisfy(gate.allows))
    }
}
