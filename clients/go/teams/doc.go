// Package teams is a client for TeamService, speaking the binary protocol of
// docs/PROTOCOL.md over TCP, optionally inside TLS.
//
// A Client multiplexes concurrent calls on one connection and keeps that
// connection up: it authenticates every connection with Options.Token (an AUTH
// frame, sent first), PINGs an idle connection to detect a dead peer, follows a
// server's GOAWAY by sending the calls the server did not run to a new
// connection, and fails over across Options.Endpoints with gRPC's reconnect
// backoff. Calls that may have run are retried only when that is harmless (reads,
// or CreateTeam with an idempotency key), within a retry budget.
//
// Each method takes a context: its deadline is sent to the server and enforced
// locally, and cancelling it sends a CANCEL frame. Errors are *Error values with
// a status Code:
//
//	team, err := client.GetTeam(ctx, id)
//	if teams.CodeOf(err) == teams.NotFound {
//		// no such team
//	}
//
// WatchEvents returns a Watch, which resumes after failures from the sequence
// after the last event it delivered.
package teams
