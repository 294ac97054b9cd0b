package teams

import (
	"testing"
	"time"

	"teamservice/clients/go/teamsv1"
)

// A peer that stops answering is found dead by keepalive; the read in flight is
// sent again to the next endpoint.
func TestKeepaliveDetectsDeadPeer(t *testing.T) {
	var pings counter
	silent := startFake(t, func(c *fakeConn) {
		for {
			f, ok := c.read()
			if !ok {
				return
			}
			if f.kind == framePing {
				pings.add()
			}
		}
	})
	var requests counter
	alive := startFake(t, serveOK(&teamsv1.GetTeamResponse{Team: &teamsv1.Team{Id: "00000000000000000000"}}, &requests))
	client := newTestClient(t, Options{
		Endpoints:         []string{silent.addr, alive.addr},
		KeepaliveInterval: 200 * time.Millisecond,
		KeepaliveTimeout:  300 * time.Millisecond,
	})
	start := time.Now()
	if _, err := client.GetTeam(testContext(t, 10*time.Second), "00000000000000000000"); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 3*time.Second || pings.get() != 1 || requests.get() != 1 {
		t.Fatalf("answered after %v, %d PINGs to the silent peer, %d requests to the live one", elapsed, pings.get(), requests.get())
	}
}

// PINGs keep an idle connection open past the server's idle timeout.
func TestKeepaliveKeepsIdleConnection(t *testing.T) {
	server := startServer(t, "--store", "memory", "--idle-timeout", "1s", "--min-ping-interval", "0")
	client := newTestClient(t, Options{Endpoints: []string{server.addr}, KeepaliveInterval: 200 * time.Millisecond})
	if _, err := client.Check(testContext(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	first := currentConn(client)
	time.Sleep(2500 * time.Millisecond)
	if _, err := client.Check(testContext(t, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if currentConn(client) != first {
		t.Fatalf("the server closed the idle connection despite the PINGs: %v", first.endReason())
	}
}
