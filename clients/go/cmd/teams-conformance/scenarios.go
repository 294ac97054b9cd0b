package main

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"teamservice/clients/go/teams"
)

// callTimeout bounds each call of the scenarios that expect prompt answers.
const callTimeout = 10 * time.Second

// createGet: create, get, add a player, search, delete, then NOT_FOUND.
func createGet(ctx context.Context, r *run) {
	client := r.client("")
	if client == nil {
		return
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, 4*callTimeout)
	defer cancel()

	random := fmt.Sprintf("%x", rand.New(rand.NewSource(time.Now().UnixNano())).Int63())
	created, err := client.CreateTeam(ctx, "Conformance "+random)
	if !r.expectOK("CreateTeam", err) {
		return
	}
	if created.Version != 1 || len(created.Players) != 0 || created.Name != "Conformance "+random {
		r.failf("CreateTeam returned %+v, want version 1 and no players", created)
	}
	got, err := client.GetTeam(ctx, created.ID)
	if r.expectOK("GetTeam", err) && !sameTeam(got, created) {
		r.failf("GetTeam returned %+v, want %+v", got, created)
	}
	edwin := teams.Player{Name: "Edwin", Position: teams.PositionGK}
	added, err := client.AddPlayer(ctx, created.ID, edwin, 0)
	if r.expectOK("AddPlayer", err) && (added.Version != 2 || len(added.Players) != 1 || added.Players[0] != edwin) {
		r.failf("AddPlayer returned %+v, want version 2 with Edwin (GK)", added)
	}
	got, err = client.GetTeam(ctx, created.ID)
	if r.expectOK("GetTeam after AddPlayer", err) && !sameTeam(got, added) {
		r.failf("GetTeam after AddPlayer returned %+v, want %+v", got, added)
	}
	page, err := client.SearchTeams(ctx, teams.SearchQuery{Term: random})
	if r.expectOK("SearchTeams", err) && (len(page.Teams) != 1 || page.Teams[0].ID != created.ID) {
		r.failf("SearchTeams %q found %+v, want exactly team %s", random, page.Teams, created.ID)
	}
	if r.expectOK("DeleteTeam", client.DeleteTeam(ctx, created.ID, 0)) {
		_, err = client.GetTeam(ctx, created.ID)
		r.expectCode("GetTeam after DeleteTeam", err, teams.NotFound)
	}
}

func sameTeam(a, b teams.Team) bool {
	if a.ID != b.ID || a.Name != b.Name || a.Version != b.Version || len(a.Players) != len(b.Players) {
		return false
	}
	for i := range a.Players {
		if a.Players[i] != b.Players[i] {
			return false
		}
	}
	return true
}

// errorsScenario: each refusal comes back with its status and a message.
func errorsScenario(ctx context.Context, r *run) {
	client := r.client("")
	if client == nil {
		return
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, 4*callTimeout)
	defer cancel()

	_, err := client.GetTeam(ctx, "00000000000000000000")
	r.expectCode("GetTeam 00000000000000000000", err, teams.NotFound)
	_, err = client.GetTeam(ctx, "not-an-id")
	r.expectCode("GetTeam not-an-id", err, teams.InvalidArgument)
	_, err = client.CreateTeam(ctx, "")
	r.expectCode("CreateTeam with an empty name", err, teams.InvalidArgument)
	team, err := client.CreateTeam(ctx, "Conformance errors")
	if r.expectOK("CreateTeam", err) {
		_, err = client.RenameTeam(ctx, team.ID, "Conformance errors 2", 1)
		if r.expectOK("RenameTeam expecting version 1", err) {
			_, err = client.RenameTeam(ctx, team.ID, "Conformance errors 3", 1)
			r.expectCode("RenameTeam with a stale expected version", err, teams.Aborted)
		}
	}
	_, err = client.SearchTeams(ctx, teams.SearchQuery{PageSize: 501})
	r.expectCode("SearchTeams with page size 501", err, teams.InvalidArgument)
}

// deadline: a watch on a quiet server ends DEADLINE_EXCEEDED on time, and the
// client goes on working.
func deadline(ctx context.Context, r *run) {
	client := r.client("")
	if client == nil {
		return
	}
	defer client.Close()

	watchCtx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	watch := client.WatchEvents(watchCtx, 0)
	event, err := watch.Recv()
	elapsed := time.Since(start)
	watch.Close()
	if err == nil {
		r.failf("WatchEvents delivered %+v on a quiet server, want DEADLINE_EXCEEDED", event)
	} else if r.expectCode("WatchEvents with a 300 ms deadline", err, teams.DeadlineExceeded) &&
		(elapsed < 250*time.Millisecond || elapsed > 3*time.Second) {
		r.failf("WatchEvents with a 300 ms deadline ended after %v, want 250 ms to 3 s", elapsed)
	}

	createCtx, cancelCreate := context.WithTimeout(ctx, 5*time.Second)
	defer cancelCreate()
	_, err = client.CreateTeam(createCtx, "Conformance deadline")
	r.expectOK("CreateTeam after the deadline", err)
}

// auth: what each caller may do on a server with a tokens file.
func auth(ctx context.Context, r *run) {
	if r.cfg.token == "" || r.cfg.readerToken == "" {
		r.failf("auth needs --token and --reader-token")
		return
	}
	call := func(token string, do func(ctx context.Context, client *teams.Client)) {
		client := r.client(token)
		if client == nil {
			return
		}
		defer client.Close()
		callCtx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		do(callCtx, client)
	}
	call("", func(ctx context.Context, client *teams.Client) {
		_, err := client.CreateTeam(ctx, "Conformance anonymous")
		r.expectCode("CreateTeam without a token", err, teams.Unauthenticated)
		_, err = client.Check(ctx)
		r.expectOK("Check without a token", err)
	})
	call(r.cfg.readerToken, func(ctx context.Context, client *teams.Client) {
		_, err := client.CreateTeam(ctx, "Conformance reader")
		r.expectCode("CreateTeam with the reader token", err, teams.PermissionDenied)
		_, err = client.GetTeam(ctx, "00000000000000000000")
		r.expectCode("GetTeam of a missing id with the reader token", err, teams.NotFound)
	})
	call(r.cfg.token, func(ctx context.Context, client *teams.Client) {
		_, err := client.CreateTeam(ctx, "Conformance writer")
		r.expectOK("CreateTeam with the writer token", err)
	})
	// The server refuses the connection; the client reports why once the deadline passes.
	call("not-a-known-token", func(ctx context.Context, client *teams.Client) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		_, err := client.CreateTeam(ctx, "Conformance stranger")
		if teams.CodeOf(err) == teams.Unavailable && strings.Contains(err.Error(), "token") {
			return
		}
		r.expectCode("CreateTeam with an unknown token", err, teams.Unauthenticated)
	})
}
