package teams

import (
	"context"
	"sync"
)

// Client calls TeamService over one connection at a time, multiplexing any number
// of concurrent calls on it. It is safe for concurrent use; Close it when done.
//
// The client connects in the background to the first endpoint that answers. When
// the connection is lost or drained (GOAWAY), it fails over to the next endpoint
// at once; while no endpoint can be reached it retries them with
// Options.ReconnectBackoff. Calls wait for a connection until their deadline.
type Client struct {
	opts       Options
	connConfig connConfig
	throttle   *retryThrottle
	// stop is closed by Close; cancelDial aborts a connection attempt then.
	stop       chan struct{}
	cancelDial context.CancelFunc
	maintainer sync.WaitGroup

	mu sync.Mutex
	// current takes new calls; nil while connecting.
	current *conn
	// ready is closed while current is set; a fresh one replaces it when current goes.
	ready chan struct{}
	// lastErr says why the last connection attempt or connection failed; nil once a
	// connection has been answered.
	lastErr *Error
	// conns holds every connection not yet closed, draining ones included.
	conns  map[*conn]struct{}
	closed bool
}

// New returns a client for opts, which starts connecting in the background. It
// fails only when opts are not valid.
func New(opts Options) (*Client, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Client{
		opts: opts,
		connConfig: connConfig{
			token:             opts.Token,
			keepaliveInterval: opts.KeepaliveInterval,
			keepaliveTimeout:  opts.KeepaliveTimeout,
			maxFrameLength:    uint32(opts.MaxResponseFrameBytes),
		},
		throttle:   newRetryThrottle(),
		stop:       make(chan struct{}),
		cancelDial: cancel,
		ready:      make(chan struct{}),
		conns:      make(map[*conn]struct{}),
	}
	c.maintainer.Add(1)
	go c.maintain(ctx)
	return c, nil
}

// Close closes every connection and stops reconnecting. Calls waiting or in
// flight end with CANCELLED; so do calls made afterwards. It returns nil.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	conns := make([]*conn, 0, len(c.conns))
	for cn := range c.conns {
		conns = append(conns, cn)
	}
	c.mu.Unlock()
	close(c.stop)
	c.cancelDial()
	for _, cn := range conns {
		cn.close(clientClosedError())
	}
	c.maintainer.Wait()
	return nil
}

// maintain keeps a connection for new calls until the client is closed.
//
// Each attempt goes to the endpoint after the previous attempt's, round the list,
// so a lost or drained connection fails over to the next endpoint. Once every
// endpoint has failed since a connection was last answered, it waits
// ReconnectBackoff before the next pass; a connection that the server answers
// starts the backoff again from its first step.
func (c *Client) maintain(ctx context.Context) {
	defer c.maintainer.Done()
	endpoints := c.opts.Endpoints
	next, failed, passes := 0, 0, 0
	for {
		if failed >= len(endpoints) {
			if !sleep(c.opts.ReconnectBackoff.Delay(passes), c.stop) {
				return
			}
			passes++
			failed = 0
		}
		endpoint := endpoints[next]
		next = (next + 1) % len(endpoints)
		netConn, err := dial(ctx, endpoint, c.opts.TLS, c.opts.ConnectTimeout)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.setLastErr(&Error{Code: Unavailable, Message: "cannot connect to " + endpoint + ": " + err.Error(), cause: err})
			failed++
			continue
		}
		cn := newConn(endpoint, netConn, c.connConfig, c.forget)
		if !c.install(cn) {
			return
		}
		select {
		case <-cn.answered:
			c.setLastErr(nil)
			failed, passes = 0, 0
			select {
			case <-cn.unusable:
			case <-c.stop:
				return
			}
		case <-cn.unusable:
			failed++
		case <-c.stop:
			return
		}
		c.uninstall(cn)
	}
}

// install makes cn the connection for new calls; it reports false, closing cn,
// once the client is closed.
func (c *Client) install(cn *conn) bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		cn.close(clientClosedError())
		return false
	}
	select {
	case <-cn.closed: // already gone: forget has run
	default:
		c.conns[cn] = struct{}{}
	}
	c.current = cn
	close(c.ready)
	c.mu.Unlock()
	return true
}

// uninstall stops sending new calls to cn, which has stopped taking them.
func (c *Client) uninstall(cn *conn) {
	reason := cn.endReason()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.current == cn {
		c.current = nil
		c.ready = make(chan struct{})
	}
	if reason != nil {
		c.lastErr = reason
	}
}

// forget drops a closed connection.
func (c *Client) forget(cn *conn) {
	c.mu.Lock()
	delete(c.conns, cn)
	c.mu.Unlock()
}

func (c *Client) setLastErr(err *Error) {
	c.mu.Lock()
	c.lastErr = err
	c.mu.Unlock()
}

// connection returns the connection for a new call, waiting for one until ctx is done.
func (c *Client) connection(ctx context.Context) (*conn, *Error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, clientClosedError()
		}
		if c.current != nil {
			cn := c.current
			c.mu.Unlock()
			return cn, nil
		}
		ready := c.ready
		c.mu.Unlock()
		select {
		case <-ready:
		case <-c.stop:
		case <-ctx.Done():
			return nil, c.unreachableError(ctx)
		}
	}
}

// unreachableError is the error of a call whose context ended while it waited for
// a connection: why none is ready when the deadline passed and the client knows
// (a refused connection, a token the server does not know), else ctx's error.
func (c *Client) unreachableError(ctx context.Context) *Error {
	c.mu.Lock()
	lastErr := c.lastErr
	c.mu.Unlock()
	if lastErr == nil || ctx.Err() != context.DeadlineExceeded {
		return contextError(ctx)
	}
	return &Error{Code: lastErr.Code, Message: "no connection before the deadline: " + lastErr.Message, cause: ctx.Err()}
}

// isClosed reports whether Close has been called.
func (c *Client) isClosed() bool {
	select {
	case <-c.stop:
		return true
	default:
		return false
	}
}
