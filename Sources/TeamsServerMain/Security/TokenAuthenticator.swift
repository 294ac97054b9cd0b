import Crypto
import Foundation
import RPCCore
import Synchronization
import TeamsService

/// Authenticates callers by the tokens file and by client certificates, and
/// grants each the methods of its role (`AccessPolicy`).
///
/// A token is hashed with SHA-256 and compared with every caller's hash in
/// constant time, so how long a refusal takes says nothing about the tokens. An
/// address that fails too often is refused without a check for a while
/// (`FailedAuthenticationLimiter`), so a flood of bad tokens costs little and the
/// good callers do not notice it.
final class TokenAuthenticator: CallerAuthenticator {
    private struct State {
        var tokens: TokensFile?
        var limiter = FailedAuthenticationLimiter()
    }

    private let state: Mutex<State>

    /// - Parameter tokens: nil when only client certificates authenticate (each verified one is a writer).
    init(tokens: TokensFile?) {
        state = Mutex(State(tokens: tokens))
    }

    /// Takes a new tokens file: new AUTH frames are checked against it; connections
    /// already authenticated keep their caller.
    func reload(_ tokens: TokensFile) {
        state.withLock { $0.tokens = tokens }
    }

    func authenticate(token: [UInt8], from address: String?) -> Result<Caller, RPCError> {
        let digest = Array(SHA256.hash(data: token))
        return state.withLock { state in
            let now = ContinuousClock.now
            guard state.limiter.allows(address, at: now) else {
                return .failure(RPCError(.resourceExhausted, "too many failed authentications from \(address ?? "this address"); wait and retry"))
            }
            var found: TokensFile.Entry?
            for entry in state.tokens?.entries ?? [] {
                guard let expected = entry.tokenDigest else { continue }
                // No early exit: every entry is compared, byte by byte, whatever matches.
                if constantTimeEqual(expected, digest) { found = entry }
            }
            guard let found else {
                state.limiter.recordFailure(address, at: now)
                return .failure(RPCError(.unauthenticated, "the token is not valid"))
            }
            return .success(Caller(name: found.name, role: found.role.rawValue))
        }
    }

    func caller(forCertificateName name: String) -> Caller? {
        state.withLock { state in
            guard let tokens = state.tokens else { return Caller(name: name, role: Role.writer.rawValue) }
            return tokens.entries.first { $0.name == name }.map { Caller(name: $0.name, role: $0.role.rawValue) }
        }
    }

    func allows(_ caller: Caller?, toCall path: String) -> Bool {
        AccessPolicy.allows(caller.flatMap { Role(rawValue: $0.role) }, toCall: path)
    }
}

/// Equal length and bytes, in time that depends only on the length.
func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
    guard left.count == right.count else { return false }
    var difference: UInt8 = 0
    for index in left.indices { difference |= left[index] ^ right[index] }
    return difference == 0
}

/// A token bucket of failed authentications per source address: a burst of 10,
/// refilled at 1 per second. An empty bucket refuses the address's AUTH frames
/// unchecked until it refills.
struct FailedAuthenticationLimiter {
    static let burst = 10.0
    static let refillPerSecond = 1.0
    /// Buckets kept at most; the fullest are dropped first (a full bucket is no bucket).
    static let trackedAddresses = 10_000

    private var buckets: [String: (tokens: Double, updated: ContinuousClock.Instant)] = [:]

    func allows(_ address: String?, at now: ContinuousClock.Instant) -> Bool {
        guard let address, let bucket = buckets[address] else { return true }
        return refilled(bucket, at: now) >= 1
    }

    mutating func recordFailure(_ address: String?, at now: ContinuousClock.Instant) {
        guard let address else { return }
        let tokens = buckets[address].map { refilled($0, at: now) } ?? Self.burst
        buckets[address] = (max(0, tokens - 1), now)
        if buckets.count > Self.trackedAddresses {
            buckets = buckets.filter { refilled($0.value, at: now) < Self.burst }
        }
    }

    private func refilled(_ bucket: (tokens: Double, updated: ContinuousClock.Instant), at now: ContinuousClock.Instant) -> Double {
        let (seconds, attoseconds) = (now - bucket.updated).components
        let elapsed = Double(seconds) + Double(attoseconds) / 1e18
        return min(Self.burst, bucket.tokens + elapsed * Self.refillPerSecond)
    }
}
