package teams

import (
	"context"
	"math"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"teamservice/clients/go/teamsv1"
)

func teamResponse(name string) *teamsv1.CreateTeamResponse {
	return &teamsv1.CreateTeamResponse{Team: &teamsv1.Team{Id: "00000000000000000000", Name: name, Version: 1}}
}

// A GOAWAY's last call id splits the calls: the one at or below it is answered on
// the old connection, the one above it was not run and goes to the next endpoint.
func TestGoAwayRetriesCallsNotRun(t *testing.T) {
	a := startFake(t, func(c *fakeConn) {
		first, ok1 := c.readRequest()
		second, ok2 := c.readRequest()
		if !ok1 || !ok2 {
			return
		}
		last := first.callID
		if second.callID < last {
			last = second.callID
		}
		c.goAway(Unavailable, last, "the server is shutting down")
		c.respond(last, teamResponse("from A"))
	})
	var bRequests counter
	b := startFake(t, serveOK(teamResponse("from B"), &bRequests))
	client := newTestClient(t, Options{Endpoints: []string{a.addr, b.addr}})
	ctx := testContext(t, 10*time.Second)

	var wg sync.WaitGroup
	names := make(chan string, 2)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			team, err := client.CreateTeam(ctx, "Twice")
			if err != nil {
				t.Error(err)
			}
			names <- team.Name
		}()
	}
	wg.Wait()
	close(names)
	got := map[string]bool{}
	for name := range names {
		got[name] = true
	}
	if !got["from A"] || !got["from B"] || bRequests.get() != 1 {
		t.Fatalf("answers %v, %d requests at B; want one answer from each", got, bRequests.get())
	}
}

// A connection lost after a request was written leaves its outcome unknown: a
// mutation fails UNAVAILABLE, a read is sent again.
func TestLostConnectionRetriesOnlyReads(t *testing.T) {
	dropAfterRequest := func(c *fakeConn) { c.readRequest() }
	var bRequests counter
	b := startFake(t, serveOK(&teamsv1.GetTeamResponse{Team: &teamsv1.Team{Id: "00000000000000000000", Name: "B"}}, &bRequests))

	a := startFake(t, dropAfterRequest)
	client := newTestClient(t, Options{Endpoints: []string{a.addr, b.addr}})
	_, err := client.CreateTeam(testContext(t, 10*time.Second), "Maybe")
	wantCode(t, err, Unavailable)
	if !strings.Contains(err.Error(), "may or may not have run") || bRequests.get() != 0 {
		t.Fatalf("%v, %d requests at B: want an unknown outcome and no retry", err, bRequests.get())
	}

	a = startFake(t, dropAfterRequest)
	client = newTestClient(t, Options{Endpoints: []string{a.addr, b.addr}})
	team, err := client.GetTeam(testContext(t, 10*time.Second), "00000000000000000000")
	if err != nil || team.Name != "B" || bRequests.get() != 1 {
		t.Fatalf("GetTeam: %+v, %v, %d requests at B: want it retried at B", team, err, bRequests.get())
	}

	// With an idempotency key, a create is retried like a read.
	a = startFake(t, dropAfterRequest)
	client = newTestClient(t, Options{Endpoints: []string{a.addr, b.addr}})
	if _, err := client.CreateTeam(testContext(t, 10*time.Second), "Keyed", WithIdempotencyKey("key-1")); err != nil || bRequests.get() != 2 {
		t.Fatalf("keyed CreateTeam: %v, %d requests at B: want it retried at B", err, bRequests.get())
	}
}

// Every connection starts with the AUTH frame, the reconnect after a GOAWAY included.
func TestAuthIsFirstOnEveryConnection(t *testing.T) {
	var requests counter
	server := startFake(t, func(c *fakeConn) {
		f, ok := c.read()
		if !ok {
			return // a connection made as the test ends, closed before it sent anything
		}
		if f.kind != frameAuth || string(f.body) != "\x01\x00\x03tok" {
			t.Errorf("first frame %+v, want AUTH with token tok", f)
			return
		}
		request, ok := c.readRequest()
		if !ok {
			return
		}
		requests.add()
		c.respond(request.callID, &teamsv1.CheckResponse{Status: teamsv1.CheckResponse_SERVING_STATUS_SERVING})
		c.goAway(Unavailable, request.callID, "going")
	})
	client := newTestClient(t, Options{Endpoints: []string{server.addr}, Token: "tok"})
	for i := 0; i < 2; i++ {
		if _, err := client.Check(testContext(t, 10*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	// Each connection serves one request: the second came on a reconnect.
	if requests.get() != 2 {
		t.Fatalf("%d requests served after AUTH, want 2", requests.get())
	}
}

// Call ids never wrap within a connection: the call after id 2^32-1 goes to a new one.
func TestCallIDsDoNotWrap(t *testing.T) {
	var requests counter
	server := startFake(t, serveOK(&teamsv1.CheckResponse{}, &requests))
	client := newTestClient(t, Options{Endpoints: []string{server.addr}})
	ctx := testContext(t, 10*time.Second)
	if _, err := client.Check(ctx); err != nil {
		t.Fatal(err)
	}
	first := currentConn(client)
	first.mu.Lock()
	first.nextID = math.MaxUint32
	first.mu.Unlock()
	for i := 0; i < 2; i++ {
		if _, err := client.Check(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if currentConn(client) == first || requests.get() != 3 {
		t.Fatalf("%d requests; the connection was not replaced after call id 2^32-1", requests.get())
	}
}

// currentConn returns the client's connection for new calls, waiting for one.
func currentConn(c *Client) *conn {
	cn, err := c.connection(context.Background())
	if err != nil {
		panic(err)
	}
	return cn
}

// gatedConn is a client's end of a connection whose reads wait for release, and
// whose writes fail once failWrites is set: a write that fails while the
// server's last frames wait to be read.
type gatedConn struct {
	net.Conn
	release    chan struct{}
	failWrites atomic.Bool
}

func (g *gatedConn) Read(p []byte) (int, error) {
	<-g.release
	return g.Conn.Read(p)
}

func (g *gatedConn) Write(p []byte) (int, error) {
	if g.failWrites.Load() {
		return 0, syscall.EPIPE
	}
	return g.Conn.Write(p)
}

// A failed write does not hide what the server sent before it: the GOAWAY and
// the answer to the call it accepted are still read.
func TestWriteFailureStillReadsGoAway(t *testing.T) {
	readTwo := make(chan struct{})
	server := startFake(t, func(c *fakeConn) {
		first, ok1 := c.readRequest()
		_, ok2 := c.readRequest()
		if !ok1 || !ok2 {
			return
		}
		close(readTwo)
		c.goAway(Unavailable, first.callID, "the server is shutting down")
		c.respond(first.callID, &teamsv1.CheckResponse{Store: "fake"})
	})
	netConn, err := net.Dial("tcp", server.addr)
	if err != nil {
		t.Fatal(err)
	}
	gated := &gatedConn{Conn: netConn, release: make(chan struct{})}
	c := newConn(server.addr, gated, connConfig{maxFrameLength: 1 << 20}, func(*conn) {})
	defer c.close(clientClosedError())

	start := func() *attempt {
		a, ok := c.start(methodCheck.path, requestHead{}, nil)
		if !ok {
			t.Fatal("the connection refused a call")
		}
		return a
	}
	accepted, crossed := start(), start()
	<-readTwo
	gated.failWrites.Store(true)
	unsent := start()
	<-c.unusable // the write failed
	close(gated.release)

	wait := func(a *attempt) outcome {
		select {
		case <-a.done:
			return a.result()
		case <-time.After(5 * time.Second):
			t.Fatalf("call %d did not end", a.id)
			return outcome{}
		}
	}
	if end := wait(accepted); end.err != nil {
		t.Fatalf("the accepted call: %v", end.err)
	}
	if end := wait(crossed); !end.notRun {
		t.Fatalf("the call above the GOAWAY's last call id: %+v, want not run", end)
	}
	if end := wait(unsent); !end.notRun {
		t.Fatalf("the call whose write failed: %+v, want not run", end)
	}
}

// A response frame over Options.MaxResponseFrameBytes fails the connection's
// calls, without the client buffering it.
func TestOversizedResponseFrame(t *testing.T) {
	server := startFake(t, func(c *fakeConn) {
		if request, ok := c.readRequest(); ok {
			c.Write(appendHeader(nil, frameResponse, 0, request.callID, 2000))
			c.readRequest() // until the client closes the connection
		}
	})
	client := newTestClient(t, Options{Endpoints: []string{server.addr}, MaxResponseFrameBytes: 1000})
	_, err := client.CreateTeam(testContext(t, 10*time.Second), "Too big")
	wantCode(t, err, ResourceExhausted)
	if !strings.Contains(err.Error(), "2006") {
		t.Fatalf("%v does not give the frame's length", err)
	}
}
