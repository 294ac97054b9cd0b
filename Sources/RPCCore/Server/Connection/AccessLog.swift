import Logging
import NIOCore

/// The lines a connection writes about its calls and its end. Audited calls (they
/// may change state and callers are authenticated) are notices; with `logsEveryCall`
/// (`--access-log`) every call is logged at info as it ends; lines a peer can cause
/// at will go through the server's `PeerLogLimiter`. Off, calls pay nothing for it.
struct AccessLog {
    let logger: Logger
    /// Whether every call is logged when it ends.
    let logsEveryCall: Bool
    let peerLog: PeerLogLimiter
    /// The client's address, for every line.
    let peer: String

    init(logger: Logger, logsEveryCall: Bool, peerLog: PeerLogLimiter, peerAddress: String?) {
        self.logger = logger
        self.logsEveryCall = logsEveryCall
        self.peerLog = peerLog
        self.peer = peerAddress ?? "-"
    }

    /// A call the caller may not make: rate-limited, as a peer can send them at will.
    func denied(path: String, status: StatusCode, caller: Caller?) {
        peerLog.log(logger, level: .notice, "call denied", metadata: [
            "caller": "\(caller?.name ?? "-")", "method": "\(path)", "status": "\(status)", "peer": "\(peer)",
        ])
    }

    /// A call answered without running.
    func refused(path: String, callID: UInt32, status: StatusCode, message: String, caller: Caller?) {
        guard logsEveryCall else { return }
        logger.info("call", metadata: [
            "method": "\(path)", "status": "\(status)", "call_id": "\(callID)", "peer": "\(peer)",
            "caller": "\(caller?.name ?? "-")", "message": "\(message)",
        ])
    }

    /// A call ended; logged when audited or when every call is.
    @inline(__always)
    func ended(_ call: ServerCall, status: StatusCode, caller: Caller?) {
        guard call.isAudited || logsEveryCall else { return }
        logger.log(level: call.isAudited ? .notice : .info, "call", metadata: [
            "method": "\(call.context.path)", "status": "\(status)", "duration_us": "\((NIODeadline.now() - call.startedAt).nanoseconds / 1000)",
            "request_id": "\(call.requestID ?? "-")", "traceparent": "\(call.traceParent ?? "-")",
            "call_id": "\(call.callID)", "peer": "\(peer)", "caller": "\(caller?.name ?? "-")",
        ])
    }

    /// The connection is closing for `reason`; rate-limited when the peer is to blame.
    func closing(_ error: RPCError, reason: String, peerToBlame: Bool, notice: Bool) {
        let metadata: Logger.Metadata = ["reason": "\(reason)", "error": "\(error)", "peer": "\(peer)"]
        if peerToBlame {
            peerLog.log(logger, level: notice ? .notice : .info, "closing connection", metadata: metadata)
        } else {
            logger.info("closing connection", metadata: metadata)
        }
    }
}
