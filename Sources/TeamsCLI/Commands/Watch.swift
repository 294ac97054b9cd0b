import ArgumentParser
import Foundation
import TeamsClient
import TeamsDomain
import RPCCore

struct Watch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print team events as they happen.",
        discussion: "With --from, first prints the stored events from that sequence on. Stops on Ctrl-C; rerun with --from LAST+1 to resume without gaps.")
    @Option(help: "The first sequence to print; 0 prints only new events.") var from: UInt64 = 0
    @OptionGroup(title: "Connection options") var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client throws(RPCError) in
            do {
                for try await event in client.watchEvents(from: from) {
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
