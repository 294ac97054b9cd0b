import NIOCore

extension ServerConnection {
    /// What one connection may ask of the server.
    package struct Limits: Sendable {
        /// The largest frame accepted, in bytes after the length prefix.
        package var maximumFrameLength: UInt32
        /// How many response bytes may wait for a slow reader before its streams are cut off.
        package var maximumBufferedOutput: Int
        /// Calls started and not yet answered, streams included; one more gets RESOURCE_EXHAUSTED.
        package var maximumCallsInFlight: Int = 1_000
        /// With no call in flight and nothing read for this long, the connection is closed; nil never.
        package var idleTimeout: TimeAmount? = .minutes(15)
        /// A frame begun must be complete within this, else the connection is closed (slowloris).
        package var frameReadTimeout: TimeAmount = .seconds(20)
        /// How long a drain lets calls in flight finish before answering them UNAVAILABLE.
        package var drainTimeout: TimeAmount = .seconds(30)
        /// PINGs closer together than this are strikes; the third in a row closes the connection.
        package var minimumPingInterval: TimeAmount = .seconds(10)
        /// With an authenticator, a connection that has named no caller by then gets
        /// GOAWAY UNAUTHENTICATED and is closed, so it cannot hold a slot.
        package var authenticationTimeout: TimeAmount = .seconds(10)

        package init(maximumFrameLength: UInt32, maximumBufferedOutput: Int) {
            self.maximumFrameLength = maximumFrameLength
            self.maximumBufferedOutput = maximumBufferedOutput
        }
    }
}
