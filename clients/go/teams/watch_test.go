package teams

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// A watch resumes across a server restart (same port, same SQLite file) and
// delivers every event once, in order.
func TestWatchResumesAcrossRestart(t *testing.T) {
	store := "sqlite:" + filepath.Join(t.TempDir(), "teams.sqlite")
	server := startServer(t, "--store", store)
	client := newTestClient(t, Options{
		Endpoints:        []string{server.addr},
		ReconnectBackoff: Backoff{Initial: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, Max: time.Second},
	})
	ctx := testContext(t, 40*time.Second)

	team, err := client.CreateTeam(ctx, "Resume")
	if err != nil {
		t.Fatal(err)
	}
	addPlayer := func(name string) {
		t.Helper()
		if _, err := client.AddPlayer(ctx, team.ID, Player{Name: name, Position: PositionDEF}, 0); err != nil {
			t.Fatal(err)
		}
	}
	addPlayer("One")
	addPlayer("Two")

	watchCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	watch := client.WatchEvents(watchCtx, 1)
	defer watch.Close()
	next := uint64(1)
	expect := func(kind EventKind, player string) {
		t.Helper()
		event, err := watch.Recv()
		if err != nil {
			t.Fatalf("waiting for event %d: %v", next, err)
		}
		if event.Sequence != next || event.Kind != kind || event.TeamID != team.ID || event.Player.Name != player {
			t.Fatalf("event %+v, want sequence %d, %v of %q", event, next, kind, player)
		}
		next++
	}
	expect(EventTeamCreated, "")
	expect(EventPlayerAdded, "One")
	expect(EventPlayerAdded, "Two")

	server.stop()
	startServerOnPort(t, server.port(), "--store", store)
	addPlayer("Three")
	addPlayer("Four")
	expect(EventPlayerAdded, "Three")
	expect(EventPlayerAdded, "Four")
	// Nothing was delivered twice: the next event is the next change.
	if err := client.DeleteTeam(ctx, team.ID, 0); err != nil {
		t.Fatal(err)
	}
	expect(EventTeamDeleted, "")
}
