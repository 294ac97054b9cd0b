import ArgumentParser
import Foundation
import TeamsClient
import TeamsDomain
import RPCCore

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print team events as they happen, each with the time it happened.",
        discussion: """
            With --from, first prints the stored events from that sequence on. When the server goes away \
            (a restart, a lost connection), resumes from the last sequence printed + 1, backing off up to 10 s \
            between attempts and saying so on stderr, so no event is missed or printed twice. Stops on Ctrl-C; \
            rerun with --from LAST+1 to continue from there.
            """)
    @Option(help: "The first sequence to print; 0 prints only new events.") var from: UInt64 = 0
    @Flag(help: "Stop at the first interruption instead of resuming.") var noResume = false
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    /// Between attempts to resume: quick at first, never more than 10 s, so the watch catches up soon after a restart.
    static let resumeBackoff = Backoff(base: .milliseconds(500), multiplier: 1.6, max: .seconds(10), jitter: .proportional(0.2))

    func run() async throws {
        try await global.withClient { client throws(RPCError) in
            // A server that cannot be reached at the start is a mistake to report, not an outage to ride out.
            _ = try await client.check()
            let events = client.watchEvents(from: from, resuming: !noResume, resumeBackoff: Self.resumeBackoff) { error, next, delay in
                Output.note(String(format: "watch: %@: %@; resuming from #%llu in %.1f s", "\(error.code)", error.message, next, delay.seconds))
            }
            do {
                for try await event in events {
                    Output.print(event, json: global.json)
                }
            } catch let error as RPCError {
                throw error
            } catch {
                throw RPCError(.unknown, "\(error)")
            }
        }
    }
}
