package teams

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"
)

// dial opens a connection to endpoint, with a TLS handshake when tlsConfig is set,
// within timeout.
func dial(ctx context.Context, endpoint string, tlsConfig *tls.Config, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var dialer net.Dialer
	netConn, err := dialer.DialContext(ctx, "tcp", endpoint)
	if err != nil || tlsConfig == nil {
		return netConn, err
	}
	config := tlsConfig.Clone()
	if config.ServerName == "" {
		config.ServerName, _, _ = net.SplitHostPort(endpoint)
	}
	tlsConn := tls.Client(netConn, config)
	if err := tlsConn.HandshakeContext(ctx); err != nil {
		netConn.Close()
		return nil, err
	}
	return tlsConn, nil
}

// writeFailureGrace is how long the reader may go on after a write failed.
const writeFailureGrace = 2 * time.Second

// readLoop reads and handles frames until the connection fails or closes.
func (c *conn) readLoop() {
	reader := bufio.NewReaderSize(c.netConn, 64<<10)
	for {
		f, err := readFrame(reader, c.config.maxFrameLength)
		var tooLarge *frameTooLargeError
		if errors.As(err, &tooLarge) {
			c.close(newError(ResourceExhausted, "%s: %v", c.endpoint, err))
			return
		}
		if err != nil {
			c.close(c.lostError("reading", err))
			return
		}
		c.lastRead.Store(time.Now().UnixNano())
		c.handle(f)
	}
}

// handle acts on one frame from the server. Frames for calls that have ended
// (cancelled by the client, say) are dropped, as are frame types a client does
// not expect.
func (c *conn) handle(f frame) {
	switch f.kind {
	case frameResponse:
		c.markAnswered()
		c.mu.Lock()
		a := c.calls[f.callID]
		delete(c.calls, f.callID)
		c.mu.Unlock()
		if a == nil {
			return
		}
		if r, err := parseResponse(f); err != nil {
			a.finish(outcome{err: newError(Internal, "%s: unreadable RESPONSE: %v", c.endpoint, err)})
		} else if r.status == OK {
			a.finish(outcome{payload: r.payload, metadata: r.metadata})
		} else {
			a.finish(outcome{err: &Error{Code: r.status, Message: r.message}, metadata: r.metadata})
		}
		c.closeIfDrained()
	case frameStreamMessage:
		c.markAnswered()
		c.mu.Lock()
		a := c.calls[f.callID]
		c.mu.Unlock()
		if a != nil && !a.push(f.body) {
			c.cancel(a, newError(ResourceExhausted, "the stream's reader fell more than %d bytes behind", maxStreamBuffer))
		}
	case frameGoAway:
		g, err := parseGoAway(f.body)
		if err != nil {
			c.close(newError(Unavailable, "%s: unreadable GOAWAY: %v", c.endpoint, err))
			return
		}
		c.receivedGoAway(g)
	case framePong:
		c.markAnswered()
		select {
		case c.pong <- struct{}{}:
		default:
		}
	}
}

func (c *conn) markAnswered() {
	c.answeredOnce.Do(func() { close(c.answered) })
}

// lostError describes a connection that failed while doing what.
func (c *conn) lostError(doing string, err error) *Error {
	message := err.Error()
	if errors.Is(err, io.EOF) {
		message = "the server closed the connection"
	}
	return &Error{Code: Unavailable, Message: c.endpoint + ": connection lost " + doing + ": " + message, cause: err}
}

// writeLoop writes the queued frames, all those queued at once in one write, until
// the connection fails or closes.
func (c *conn) writeLoop() {
	var batch []byte
	for {
		select {
		case <-c.wake:
		case <-c.closed:
			return
		}
		c.mu.Lock()
		pending := c.queue
		c.queue = nil
		sentBefore := c.sent
		// Until the write says otherwise, every request in the batch may reach the server.
		for _, o := range pending {
			if o.requestID != 0 {
				c.sent = o.requestID
			}
		}
		c.mu.Unlock()
		if len(pending) == 0 {
			continue
		}
		batch = batch[:0]
		for _, o := range pending {
			batch = append(batch, o.frame...)
		}
		n, err := c.netConn.Write(batch)
		if err != nil {
			c.wroteOnly(pending, n, sentBefore)
			c.writeFailed(err)
			return
		}
	}
}

// wroteOnly records that a failed write sent only n bytes of pending, queued when
// the requests up to sentBefore had been sent: a request not written in full
// never reached the server, so it did not run.
func (c *conn) wroteOnly(pending []outgoing, n int, sentBefore uint32) {
	sent := sentBefore
	for _, o := range pending {
		if n < len(o.frame) {
			break
		}
		n -= len(o.frame)
		if o.requestID != 0 {
			sent = o.requestID
		}
	}
	c.mu.Lock()
	c.sent = sent
	c.mu.Unlock()
}

// writeFailed stops a connection whose write failed from taking calls, but leaves
// it to the reader to close: what the server sent before the failure (typically a
// GOAWAY and the answers to the calls it accepted) may still be waiting to be
// read, and tells which calls ran. The reader gets writeFailureGrace for it.
func (c *conn) writeFailed(err error) {
	c.mu.Lock()
	c.stopTakingCallsLocked(c.lostError("writing", err))
	c.mu.Unlock()
	c.netConn.SetReadDeadline(time.Now().Add(writeFailureGrace))
	c.closeIfDrained()
}

// keepaliveLoop sends a PING after the keepalive interval with nothing read, and
// closes the connection as dead when no PONG (nor any other frame) arrives within
// the keepalive timeout. It stops when the connection stops taking calls: it then
// sends nothing more.
func (c *conn) keepaliveLoop() {
	var value uint32
	for {
		if !c.waitUntilIdle(c.config.keepaliveInterval) {
			return
		}
		value++
		pingedAt := time.Now().UnixNano()
		select {
		case <-c.pong: // a stale PONG, from before this PING
		default:
		}
		c.mu.Lock()
		open := c.state == connOpen
		if open {
			c.enqueueLocked(outgoing{frame: appendPing(nil, value)})
		}
		c.mu.Unlock()
		if !open {
			return
		}
		timer := time.NewTimer(c.config.keepaliveTimeout)
		select {
		case <-c.pong:
			timer.Stop()
		case <-timer.C:
			if c.lastRead.Load() < pingedAt {
				c.close(newError(Unavailable, "%s: no PONG within %v of a PING: the connection is dead", c.endpoint, c.config.keepaliveTimeout))
				return
			}
		case <-c.closed:
			timer.Stop()
			return
		}
	}
}

// waitUntilIdle returns once nothing has been read for interval; false if the
// connection closes first.
func (c *conn) waitUntilIdle(interval time.Duration) bool {
	for {
		idle := time.Since(time.Unix(0, c.lastRead.Load()))
		if idle >= interval {
			return true
		}
		timer := time.NewTimer(interval - idle)
		select {
		case <-timer.C:
		case <-c.closed:
			timer.Stop()
			return false
		}
	}
}
