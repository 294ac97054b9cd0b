package teams

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testServer is a teams-server process started by a test, on 127.0.0.1. The test
// stops it when it ends, and prints its log if the test failed.
type testServer struct {
	t      *testing.T
	cmd    *exec.Cmd
	addr   string
	args   []string
	exited chan struct{}

	logMu sync.Mutex
	log   bytes.Buffer
}

// serverBinary is the teams-server the tests run, from TEAMS_SERVER_BINARY.
func serverBinary(t *testing.T) string {
	t.Helper()
	binary := os.Getenv("TEAMS_SERVER_BINARY")
	if binary == "" {
		t.Skip("TEAMS_SERVER_BINARY is not set: these tests need a teams-server (clients/go/test.sh sets it)")
	}
	return binary
}

// startServer starts teams-server with args on a free port and waits until it listens.
func startServer(t *testing.T, args ...string) *testServer {
	t.Helper()
	return startServerOnPort(t, 0, args...)
}

// startServerOnPort starts teams-server with args on port (0: a free one) and
// waits, at most 15 s, until it listens.
func startServerOnPort(t *testing.T, port int, args ...string) *testServer {
	t.Helper()
	s := &testServer{t: t, args: args, exited: make(chan struct{})}
	all := append([]string{"--host", "127.0.0.1", "--port", fmt.Sprint(port), "--log-format", "json", "--log-level", "info"}, args...)
	s.cmd = exec.Command(serverBinary(t), all...)
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting teams-server: %v", err)
	}
	listening := make(chan string, 1)
	go s.readLog(stderr, listening)
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("teams-server %v log:\n%s", args, s.logText())
		}
	})
	select {
	case s.addr = <-listening:
	case <-s.exited:
		t.Fatalf("teams-server %v exited before listening:\n%s", args, s.logText())
	case <-time.After(15 * time.Second):
		t.Fatalf("teams-server %v did not listen within 15 s:\n%s", args, s.logText())
	}
	return s
}

// readLog keeps the server's log, and sends the address it listens on once it says so.
func (s *testServer) readLog(stderr io.Reader, listening chan<- string) {
	scanner := bufio.NewScanner(stderr)
	for scanner.Scan() {
		line := scanner.Text()
		s.logMu.Lock()
		s.log.WriteString(line + "\n")
		s.logMu.Unlock()
		var entry struct{ Message, Address string }
		if json.Unmarshal([]byte(line), &entry) == nil && entry.Message == "teams-server listening" {
			// The address reads like "[IPv4]127.0.0.1/127.0.0.1:38973".
			port := entry.Address[strings.LastIndexByte(entry.Address, ':')+1:]
			listening <- net.JoinHostPort("127.0.0.1", port)
		}
	}
}

func (s *testServer) logText() string {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return s.log.String()
}

// port returns the port the server listens on.
func (s *testServer) port() int {
	_, port, _ := net.SplitHostPort(s.addr)
	var n int
	fmt.Sscan(port, &n)
	return n
}

// terminate sends SIGTERM: the server drains and exits.
func (s *testServer) terminate() {
	s.cmd.Process.Signal(syscall.SIGTERM)
}

// stop terminates the server and waits for it to exit, killing it after 15 s.
func (s *testServer) stop() {
	s.terminate()
	select {
	case <-s.exited:
	case <-time.After(15 * time.Second):
		s.t.Errorf("teams-server %v did not exit within 15 s of SIGTERM; killing it", s.args)
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// newTestClient returns a client for opts, closed when the test ends.
func newTestClient(t *testing.T, opts Options) *Client {
	t.Helper()
	client, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}

// testContext returns a context that ends after d or when the test ends.
func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// wantCode fails the test unless err is an *Error with code and a message.
func wantCode(t *testing.T, err error, code Code) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want an *Error with code %v", err, err, code)
	}
	if e.Code != code || e.Message == "" {
		t.Fatalf("got %v, want code %v with a message", e, code)
	}
}
