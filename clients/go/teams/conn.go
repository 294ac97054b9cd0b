package teams

import (
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// connState is where a connection is in its life.
type connState int

const (
	// connOpen takes new calls.
	connOpen connState = iota
	// connDraining takes no new calls and waits for the answers to those in flight.
	connDraining
	// connClosed is done: the socket is closed and every call has ended.
	connClosed
)

// conn is the client side of one connection to one endpoint.
//
// Calls get increasing call ids, queued for the socket in that order, so that a
// GOAWAY's last call id splits the calls in flight into those the server will
// answer and those it never ran. The first call of a method sends the method's
// full name and binds a method ref; later calls send the 2-byte ref alone.
// Three goroutines serve a connection: the reader, the writer (which gathers the
// frames queued by concurrent calls into one write) and keepalive.
type conn struct {
	endpoint string
	netConn  net.Conn
	config   connConfig
	// onClosed is told once, when the connection has closed.
	onClosed func(*conn)

	// unusable is closed when the connection stops taking new calls (GOAWAY, call
	// ids used up, or closed).
	unusable chan struct{}
	// answered is closed on the first frame read that is not a GOAWAY: the server
	// accepted the connection (and its AUTH frame).
	answered     chan struct{}
	answeredOnce sync.Once
	// closed is closed once the connection has closed.
	closed chan struct{}
	// wake has a value when frames are queued for the writer.
	wake chan struct{}
	// pong has a value when a PONG has arrived.
	pong chan struct{}
	// lastRead is when the last frame was read, in Unix nanoseconds.
	lastRead atomic.Int64

	mu    sync.Mutex
	state connState
	// reason says why the connection stopped taking calls; set when state leaves connOpen.
	reason *Error
	calls  map[uint32]*attempt
	nextID uint64
	refs   map[string]uint16
	queue  []outgoing
	// sent is the highest call id whose REQUEST was handed to the socket; calls
	// above it never reached the server.
	sent uint32
}

// outgoing is a frame queued for the writer.
type outgoing struct {
	frame []byte
	// requestID is the call id of a REQUEST frame, 0 for other frames.
	requestID uint32
}

// connConfig is what a connection takes from Options.
type connConfig struct {
	// token, when not empty, is sent first, in an AUTH frame.
	token string
	// keepaliveInterval: nothing read for this long sends a PING; 0 or less turns
	// keepalive off. keepaliveTimeout: no PONG within this drops the connection as dead.
	keepaliveInterval, keepaliveTimeout time.Duration
	// maxFrameLength bounds a frame's length field; a longer frame fails the connection.
	maxFrameLength uint32
}

// newConn starts serving netConn, a connection to endpoint that is ready for
// frames (its TLS handshake done).
func newConn(endpoint string, netConn net.Conn, config connConfig, onClosed func(*conn)) *conn {
	c := &conn{
		endpoint: endpoint,
		netConn:  netConn,
		config:   config,
		onClosed: onClosed,
		unusable: make(chan struct{}),
		answered: make(chan struct{}),
		closed:   make(chan struct{}),
		wake:     make(chan struct{}, 1),
		pong:     make(chan struct{}, 1),
		calls:    make(map[uint32]*attempt),
		nextID:   1,
		refs:     make(map[string]uint16),
	}
	c.lastRead.Store(time.Now().UnixNano())
	if config.token != "" {
		c.enqueueLocked(outgoing{frame: appendAuth(nil, config.token)})
	}
	go c.readLoop()
	go c.writeLoop()
	if config.keepaliveInterval > 0 {
		go c.keepaliveLoop()
	}
	return c
}

// start sends a call: a REQUEST for path with head's deadline and metadata, then
// payload. It reports false, sending nothing, when the connection takes no new calls.
func (c *conn) start(path string, head requestHead, payload []byte) (*attempt, bool) {
	c.mu.Lock()
	if c.state != connOpen {
		c.mu.Unlock()
		return nil, false
	}
	if c.nextID > math.MaxUint32 {
		// Call ids may not wrap within a connection's life: another one takes over.
		c.stopTakingCallsLocked(newError(Unavailable, "%s: the connection has used up its call ids", c.endpoint))
		c.mu.Unlock()
		c.closeIfDrained()
		return nil, false
	}
	id := uint32(c.nextID)
	c.nextID++
	if ref, ok := c.refs[path]; ok {
		head.methodRef = ref
	} else {
		head.methodName = path
		head.methodRef = 0
		if len(c.refs) < math.MaxUint16 {
			head.methodRef = uint16(len(c.refs) + 1)
			c.refs[path] = head.methodRef
		}
	}
	a := newAttempt(id)
	c.calls[id] = a
	c.enqueueLocked(outgoing{frame: appendRequest(nil, id, head, payload), requestID: id})
	c.mu.Unlock()
	return a, true
}

// cancel ends a: it ends now with err, and the server is sent a CANCEL unless the
// connection is draining (it then sends nothing more).
func (c *conn) cancel(a *attempt, err *Error) {
	c.mu.Lock()
	if c.calls[a.id] == a {
		delete(c.calls, a.id)
		if c.state == connOpen {
			c.enqueueLocked(outgoing{frame: appendCancel(nil, a.id)})
		}
	}
	c.mu.Unlock()
	a.finish(outcome{err: err})
	c.closeIfDrained()
}

// enqueueLocked queues a frame for the writer.
func (c *conn) enqueueLocked(o outgoing) {
	c.queue = append(c.queue, o)
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// stopTakingCallsLocked moves an open connection to draining, for reason.
func (c *conn) stopTakingCallsLocked(reason *Error) {
	if c.state != connOpen {
		return
	}
	c.state = connDraining
	c.reason = reason
	close(c.unusable)
}

// endReason says why the connection stopped taking calls; call it once unusable is closed.
func (c *conn) endReason() *Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

// receivedGoAway handles a GOAWAY: nothing more is sent, the calls above its last
// call id end as not run, and the others wait for their answers.
func (c *conn) receivedGoAway(g goAway) {
	reason := newError(g.status, "%s: the server is going away: %s", c.endpoint, g.message)
	c.mu.Lock()
	c.stopTakingCallsLocked(reason)
	c.queue = nil
	var notRun []*attempt
	for id, a := range c.calls {
		if id > g.lastCallID {
			notRun = append(notRun, a)
			delete(c.calls, id)
		}
	}
	c.mu.Unlock()
	for _, a := range notRun {
		a.finish(outcome{err: reason, notRun: true})
	}
	c.closeIfDrained()
}

// closeIfDrained closes a draining connection once no call is in flight on it.
func (c *conn) closeIfDrained() {
	c.mu.Lock()
	drained := c.state == connDraining && len(c.calls) == 0
	reason := c.reason
	c.mu.Unlock()
	if drained {
		c.close(reason)
	}
}

// close closes the connection for reason. Calls in flight end with reason's
// code: those never written as not run, the others saying they may have run
// (and why the connection was draining, if it was). Closing a closed connection
// does nothing.
func (c *conn) close(reason *Error) {
	c.mu.Lock()
	if c.state == connClosed {
		c.mu.Unlock()
		return
	}
	detail := reason.Message
	if c.state == connOpen {
		close(c.unusable)
		c.reason = reason
	} else if c.reason != reason {
		detail = c.reason.Message + "; then " + detail
	}
	c.state = connClosed
	calls, sent := c.calls, c.sent
	c.calls, c.queue = nil, nil
	close(c.closed)
	c.mu.Unlock()

	c.netConn.Close()
	mayHaveRun := &Error{Code: reason.Code, Message: detail + "; the call may or may not have run", cause: reason.cause}
	for id, a := range calls {
		if id > sent {
			a.finish(outcome{err: reason, notRun: true})
		} else {
			a.finish(outcome{err: mayHaveRun})
		}
	}
	c.onClosed(c)
}
