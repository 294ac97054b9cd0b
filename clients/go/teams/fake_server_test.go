package teams

import (
	"bufio"
	"encoding/binary"
	"math"
	"net"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"
)

// fakeServer accepts connections on 127.0.0.1 and hands each to serve: for tests
// of what a real server does rarely, or never on cue (drop a connection at a
// given point, stop answering).
type fakeServer struct {
	addr     string
	listener net.Listener
	wg       sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
}

// startFake starts a fake server; it stops, closing its connections, when the test ends.
func startFake(t *testing.T, serve func(c *fakeConn)) *fakeServer {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeServer{addr: listener.Addr().String(), listener: listener}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			netConn, err := listener.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns = append(s.conns, netConn)
			s.mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer netConn.Close()
				serve(&fakeConn{t: t, Conn: netConn, reader: bufio.NewReader(netConn)})
			}()
		}
	}()
	t.Cleanup(func() {
		listener.Close()
		s.mu.Lock()
		for _, c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

// fakeConn is one connection to a fake server.
type fakeConn struct {
	net.Conn
	t      *testing.T
	reader *bufio.Reader
}

// read returns the next frame from the client; ok is false once the connection has ended.
func (c *fakeConn) read() (f frame, ok bool) {
	f, err := readFrame(c.reader, math.MaxUint32)
	return f, err == nil
}

// readRequest returns the next REQUEST, skipping other frames.
func (c *fakeConn) readRequest() (f frame, ok bool) {
	for {
		if f, ok = c.read(); !ok || f.kind == frameRequest {
			return f, ok
		}
	}
}

// respond sends an OK RESPONSE for callID holding message.
func (c *fakeConn) respond(callID uint32, message proto.Message) {
	payload, err := proto.Marshal(message)
	if err != nil {
		c.t.Error(err)
	}
	frame := appendHeader(nil, frameResponse, 0, callID, 1+len(payload))
	c.Write(append(append(frame, byte(OK)), payload...))
}

// goAway sends a GOAWAY.
func (c *fakeConn) goAway(status Code, lastCallID uint32, message string) {
	frame := appendHeader(nil, frameGoAway, 0, 0, 7+len(message))
	frame = append(frame, byte(status))
	frame = binary.BigEndian.AppendUint32(frame, lastCallID)
	frame = binary.BigEndian.AppendUint16(frame, uint16(len(message)))
	c.Write(append(frame, message...))
}

// serveOK answers every REQUEST on c OK with message, and every PING with a
// PONG, counting the requests in *requests.
func serveOK(message proto.Message, requests *counter) func(c *fakeConn) {
	return func(c *fakeConn) {
		for {
			f, ok := c.read()
			if !ok {
				return
			}
			switch f.kind {
			case frameRequest:
				requests.add()
				c.respond(f.callID, message)
			case framePing:
				c.Write(appendHeader(nil, framePong, 0, f.callID, 0))
			}
		}
	}
}

// counter counts events across goroutines.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) add() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *counter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
