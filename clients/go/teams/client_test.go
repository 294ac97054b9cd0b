package teams

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"
)

func TestCreateGetAndChange(t *testing.T) {
	server := startServer(t, "--store", "memory")
	client := newTestClient(t, Options{Endpoints: []string{server.addr}})
	ctx := testContext(t, 20*time.Second)

	suffix := fmt.Sprint(rand.Int63())
	created, err := client.CreateTeam(ctx, "Ajax "+suffix)
	if err != nil {
		t.Fatal(err)
	}
	if created.Version != 1 || len(created.Players) != 0 || created.Name != "Ajax "+suffix || len(created.ID) != 20 {
		t.Fatalf("created %+v", created)
	}
	got, err := client.GetTeam(ctx, created.ID)
	if err != nil || got.ID != created.ID || got.Version != 1 {
		t.Fatalf("GetTeam: %+v, %v", got, err)
	}
	edwin := Player{Name: "Edwin", Position: PositionGK}
	added, err := client.AddPlayer(ctx, created.ID, edwin, 1)
	if err != nil || added.Version != 2 || len(added.Players) != 1 || added.Players[0] != edwin {
		t.Fatalf("AddPlayer: %+v, %v", added, err)
	}
	renamed, err := client.RenameTeam(ctx, created.ID, "AFC Ajax "+suffix, 0)
	if err != nil || renamed.Version != 3 || renamed.Name != "AFC Ajax "+suffix {
		t.Fatalf("RenameTeam: %+v, %v", renamed, err)
	}
	page, err := client.SearchTeams(ctx, SearchQuery{Term: suffix})
	if err != nil || len(page.Teams) != 1 || page.Teams[0].ID != created.ID || page.NextPageToken != "" {
		t.Fatalf("SearchTeams: %+v, %v", page, err)
	}
	removed, err := client.RemovePlayer(ctx, created.ID, Player{Name: "EDWIN", Position: PositionGK}, 3)
	if err != nil || removed.Version != 4 || len(removed.Players) != 0 {
		t.Fatalf("RemovePlayer: %+v, %v", removed, err)
	}
	if err := client.DeleteTeam(ctx, created.ID, 4); err != nil {
		t.Fatal(err)
	}
	_, err = client.GetTeam(ctx, created.ID)
	wantCode(t, err, NotFound)
}

func TestErrors(t *testing.T) {
	server := startServer(t, "--store", "memory")
	client := newTestClient(t, Options{Endpoints: []string{server.addr}})
	ctx := testContext(t, 20*time.Second)

	_, err := client.GetTeam(ctx, "00000000000000000000")
	wantCode(t, err, NotFound)
	var e *Error
	if !errors.As(err, &e) || CodeOf(err) != NotFound || e.Error() != "NOT_FOUND: "+e.Message {
		t.Fatalf("errors.As / CodeOf / Error() on %v", err)
	}
	_, err = client.GetTeam(ctx, "not-an-id")
	wantCode(t, err, InvalidArgument)
	_, err = client.CreateTeam(ctx, "  ")
	wantCode(t, err, InvalidArgument)
	_, err = client.SearchTeams(ctx, SearchQuery{PageSize: 501})
	wantCode(t, err, InvalidArgument)

	team, err := client.CreateTeam(ctx, "Stale")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.RenameTeam(ctx, team.ID, "Fresh", 1); err != nil {
		t.Fatal(err)
	}
	_, err = client.RenameTeam(ctx, team.ID, "Fresher", 1)
	wantCode(t, err, Aborted)

	// Checked by the client, never sent: the server would cut the name at the NUL.
	_, err = client.CreateTeam(ctx, "Ajax\x00Amsterdam")
	wantCode(t, err, InvalidArgument)
	if CodeOf(nil) != OK || CodeOf(errors.New("other")) != Unknown {
		t.Fatal("CodeOf of nil or a foreign error")
	}
}

func TestHealthAndListMethods(t *testing.T) {
	server := startServer(t, "--store", "memory")
	client := newTestClient(t, Options{Endpoints: []string{server.addr}})
	ctx := testContext(t, 20*time.Second)

	health, err := client.Check(ctx)
	if err != nil || !health.Serving || health.Store != "memory" {
		t.Fatalf("Check: %+v, %v", health, err)
	}
	methods, err := client.ListMethods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	streaming := map[string]bool{}
	for _, m := range methods {
		streaming[m.Name] = m.ServerStreaming
	}
	if len(methods) != 10 || !streaming[methodWatchEvents.path] || streaming[methodGetTeam.path] {
		t.Fatalf("ListMethods: %+v", methods)
	}
}

func TestMetadata(t *testing.T) {
	server := startServer(t, "--store", "memory")
	client := newTestClient(t, Options{Endpoints: []string{server.addr}})
	ctx := testContext(t, 20*time.Second)

	var md Metadata
	_, err := client.CreateTeam(ctx, "Metadata",
		WithMetadata(MetadataRequestID, "req-1"),
		WithMetadata(MetadataTraceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
		WithResponseMetadata(&md))
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := md.Get(MetadataRequestID); !ok || id != "req-1" {
		t.Fatalf("response metadata %v: no request-id req-1", md)
	}

	// The request id comes back on errors too, in the option and in the *Error.
	md = nil
	_, err = client.GetTeam(ctx, "00000000000000000000", WithMetadata(MetadataRequestID, "req-2"), WithResponseMetadata(&md))
	wantCode(t, err, NotFound)
	var e *Error
	errors.As(err, &e)
	if id, _ := md.Get(MetadataRequestID); id != "req-2" {
		t.Fatalf("response metadata %v: no request-id req-2", md)
	}
	if id, _ := e.Metadata.Get(MetadataRequestID); id != "req-2" {
		t.Fatalf("error metadata %v: no request-id req-2", e.Metadata)
	}
}

func TestDeadline(t *testing.T) {
	server := startServer(t, "--store", "memory")
	client := newTestClient(t, Options{Endpoints: []string{server.addr}})

	// Nothing changes, so the watch waits until its deadline passes.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	watch := client.WatchEvents(ctx, 0)
	defer watch.Close()
	_, err := watch.Recv()
	elapsed := time.Since(start)
	wantCode(t, err, DeadlineExceeded)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("errors.Is(%v, context.DeadlineExceeded) is false", err)
	}
	if elapsed < 250*time.Millisecond || elapsed > 3*time.Second {
		t.Fatalf("the watch ended after %v, want about 300 ms", elapsed)
	}

	// A context whose deadline has passed fails at once, without a call.
	expired, cancelExpired := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelExpired()
	_, err = client.GetTeam(expired, "00000000000000000000")
	wantCode(t, err, DeadlineExceeded)

	// The connection survived.
	if _, err := client.CreateTeam(testContext(t, 5*time.Second), "After the deadline"); err != nil {
		t.Fatal(err)
	}
}

func TestCancellation(t *testing.T) {
	// One call at a time per connection: a call fits only once the server has
	// ended the cancelled stream, which it does on the CANCEL frame.
	server := startServer(t, "--store", "memory", "--max-calls-per-connection", "1")
	client := newTestClient(t, Options{Endpoints: []string{server.addr}})

	ctx, cancel := context.WithCancel(context.Background())
	watch := client.WatchEvents(ctx, 0)
	time.Sleep(200 * time.Millisecond) // the stream is running on the server
	cancel()
	_, err := watch.Recv()
	wantCode(t, err, Cancelled)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("errors.Is(%v, context.Canceled) is false", err)
	}

	deadline := time.Now().Add(3 * time.Second)
	for {
		_, err := client.Check(testContext(t, time.Second))
		if err == nil {
			break
		}
		if CodeOf(err) != ResourceExhausted || time.Now().After(deadline) {
			t.Fatalf("Check after the watch was cancelled: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestConcurrentCallsShareOneConnection(t *testing.T) {
	server := startServer(t, "--store", "memory")
	client := newTestClient(t, Options{Endpoints: []string{server.addr}})
	ctx := testContext(t, 30*time.Second)

	team, err := client.CreateTeam(ctx, "Busy")
	if err != nil {
		t.Fatal(err)
	}
	first := client.current
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if i%2 == 0 {
				_, err := client.GetTeam(ctx, team.ID)
				errs <- err
			} else {
				_, err := client.AddPlayer(ctx, team.ID, Player{Name: fmt.Sprint("Player ", i), Position: PositionMID}, 0)
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := client.GetTeam(ctx, team.ID)
	if err != nil || len(got.Players) != 100 || got.Version != 101 {
		t.Fatalf("after 100 AddPlayer: %d players, version %d, %v", len(got.Players), got.Version, err)
	}
	if client.current != first {
		t.Fatal("the calls did not all share the first connection")
	}
}
