package main

import (
	"context"
	"time"

	"teamservice/clients/go/teams"
)

// watchResume: a watch from sequence 1 delivers events 1 to 5 once each, in
// order, across a restart of the server between events 3 and 4.
func watchResume(ctx context.Context, r *run) {
	// Registered first, so it runs last: the restarted server stops once the client is closed.
	restartedPID := 0
	defer func() {
		if restartedPID != 0 {
			stopServer(r, restartedPID)
		}
	}()
	client := r.client(r.cfg.token)
	if client == nil {
		return
	}
	defer client.Close()

	team, err := client.CreateTeam(ctx, "Conformance watch")
	if !r.expectOK("CreateTeam", err) {
		return
	}
	for _, name := range []string{"One", "Two"} {
		if !r.expectOK("AddPlayer "+name, addPlayer(ctx, client, team.ID, name)) {
			return
		}
	}

	watch := client.WatchEvents(ctx, 1)
	defer watch.Close()
	next := uint64(1)
	// receive checks that the next event is the one after the last.
	receive := func() bool {
		event, err := watch.Recv()
		if err != nil {
			r.failf("waiting for event %d: %v", next, err)
			return false
		}
		if event.Sequence != next {
			r.failf("got event %d (%v), want event %d", event.Sequence, event.Kind, next)
			return false
		}
		next++
		return true
	}
	for i := 0; i < 3; i++ {
		if !receive() {
			return
		}
	}

	if err := terminate(r.cfg.serverPID); err != nil {
		r.failf("SIGTERM to --server-pid: %v", err)
		return
	}
	exitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := waitExit(exitCtx, r.cfg.serverPID); err != nil {
		r.failf("the server did not exit after SIGTERM: %v", err)
		return
	}
	if restartedPID, err = startServer(ctx, r.cfg.restartCommand); err != nil {
		r.failf("restarting the server: %v", err)
		return
	}

	for _, name := range []string{"Three", "Four"} {
		if !r.expectOK("AddPlayer "+name+" after the restart", addPlayer(ctx, client, team.ID, name)) {
			return
		}
	}
	for i := 0; i < 2; i++ {
		if !receive() {
			return
		}
	}
}

// addPlayer adds a defender named name, calling again while the server cannot
// be reached. A call whose outcome was unknown may have added the player: then
// ALREADY_EXISTS means done.
func addPlayer(ctx context.Context, client *teams.Client, teamID, name string) error {
	unknownOutcome := false
	for {
		callCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := client.AddPlayer(callCtx, teamID, teams.Player{Name: name, Position: teams.PositionDEF}, 0)
		cancel()
		switch teams.CodeOf(err) {
		case teams.OK:
			return nil
		case teams.AlreadyExists:
			if unknownOutcome {
				return nil
			}
			return err
		case teams.Unavailable, teams.DeadlineExceeded:
			if ctx.Err() != nil {
				return err
			}
			unknownOutcome = true
		default:
			return err
		}
	}
}

// stopServer sends SIGTERM to the restarted server and waits for it to exit.
func stopServer(r *run, pid int) {
	if err := terminate(pid); err != nil {
		r.failf("stopping the restarted server: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := waitExit(ctx, pid); err != nil {
		r.failf("the restarted server did not stop: %v", err)
	}
}
