package teams

import (
	"context"
	"math"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"
)

// method is one RPC of the service.
type method struct {
	path string
	// safeToRepeat: running it twice is harmless (NO_SIDE_EFFECTS in the .proto
	// files), so a call whose outcome is unknown may be sent again.
	safeToRepeat bool
}

var (
	methodCreateTeam   = method{"/teams.v1.TeamService/CreateTeam", false}
	methodGetTeam      = method{"/teams.v1.TeamService/GetTeam", true}
	methodRenameTeam   = method{"/teams.v1.TeamService/RenameTeam", false}
	methodDeleteTeam   = method{"/teams.v1.TeamService/DeleteTeam", false}
	methodAddPlayer    = method{"/teams.v1.TeamService/AddPlayer", false}
	methodRemovePlayer = method{"/teams.v1.TeamService/RemovePlayer", false}
	methodSearchTeams  = method{"/teams.v1.TeamService/SearchTeams", true}
	methodWatchEvents  = method{"/teams.v1.TeamService/WatchEvents", true}
	methodCheck        = method{"/teams.v1.Health/Check", true}
	methodListMethods  = method{"/teams.v1.Health/ListMethods", true}
)

// call is what each attempt of one call sends.
type call struct {
	path     string
	payload  []byte
	metadata []byte
	// retryable: the call may be sent again when its outcome is unknown.
	retryable bool
}

// newCall encodes request for m. It fails with INVALID_ARGUMENT when request or
// the metadata do not encode, or when one of texts holds a NUL byte: the server reads
// its strings only up to one (docs/PROTOCOL.md, "Semantics worth knowing").
func newCall(m method, request proto.Message, o *callOptions, texts ...string) (*call, *Error) {
	if err := checkNoNUL(texts); err != nil {
		return nil, err
	}
	payload, err := proto.Marshal(request)
	if err != nil {
		return nil, &Error{Code: InvalidArgument, Message: "the request does not encode: " + err.Error(), cause: err}
	}
	cl := &call{path: m.path, payload: payload, retryable: m.safeToRepeat}
	if len(o.metadata) > 0 {
		if cl.metadata, err = encodeMetadata(o.metadata); err != nil {
			return nil, &Error{Code: InvalidArgument, Message: "the metadata does not encode: " + err.Error(), cause: err}
		}
		if len(cl.metadata) > math.MaxUint16 {
			return nil, newError(InvalidArgument, "the metadata encodes to %d bytes, at most %d", len(cl.metadata), math.MaxUint16)
		}
	}
	return cl, nil
}

func checkNoNUL(values []string) *Error {
	for _, value := range values {
		if strings.IndexByte(value, 0) >= 0 {
			return newError(InvalidArgument, "%q holds a NUL byte, which the server would cut the string at", value)
		}
	}
	return nil
}

// unary runs a unary call of m and decodes its answer into response. A context
// without a deadline gets Options.DefaultTimeout.
func (c *Client) unary(ctx context.Context, m method, request, response proto.Message, o *callOptions, texts ...string) error {
	cl, err := newCall(m, request, o, texts...)
	if err != nil {
		return err
	}
	if o.idempotencyKey != "" && m == methodCreateTeam {
		cl.retryable = true
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.DefaultTimeout)
		defer cancel()
	}
	end := c.run(ctx, cl)
	if o.responseMetadata != nil {
		*o.responseMetadata = end.metadata
	}
	if end.err != nil {
		e := *end.err
		e.Metadata = end.metadata
		return &e
	}
	if err := proto.Unmarshal(end.payload, response); err != nil {
		return &Error{Code: Internal, Message: "the response does not decode: " + err.Error(), Metadata: end.metadata, cause: err}
	}
	return nil
}

// run sends cl until it is answered, and returns how it ended.
//
// A call that never ran is sent again at once, on the next connection, whatever
// its method. A call that ended UNAVAILABLE, answered so or on a connection lost
// after it was written, may have run: it is sent again only when cl is retryable,
// after Options.RetryBackoff, up to Options.MaxAttempts, and while the retry
// throttle allows. Any other status is an answer.
func (c *Client) run(ctx context.Context, cl *call) outcome {
	for attempt := 1; ; {
		cn, a, err := c.send(ctx, ctx, cl)
		if err != nil {
			return outcome{err: err}
		}
		select {
		case <-a.done:
		case <-ctx.Done():
			err := contextError(ctx)
			cn.cancel(a, err)
			return outcome{err: err}
		}
		end := a.result()
		if end.notRun && !c.isClosed() {
			continue
		}
		if end.err == nil || end.err.Code != Unavailable {
			c.throttle.success()
			return end
		}
		if !c.throttle.failure() || !cl.retryable || attempt >= c.opts.MaxAttempts || c.isClosed() {
			return end
		}
		if !sleep(c.opts.RetryBackoff.Delay(attempt-1), ctx.Done()) {
			return outcome{err: contextError(ctx)}
		}
		attempt++
	}
}

// send starts an attempt of cl, waiting for a connection until waitCtx is done.
// The request carries the time left before ctx's deadline, if it has one.
func (c *Client) send(ctx, waitCtx context.Context, cl *call) (*conn, *attempt, *Error) {
	for {
		cn, err := c.connection(waitCtx)
		if err != nil {
			return nil, nil, err
		}
		head := requestHead{metadata: cl.metadata}
		if deadline, ok := ctx.Deadline(); ok {
			left := time.Until(deadline)
			if left <= 0 {
				return nil, nil, &Error{Code: DeadlineExceeded, Message: "the call's deadline passed", cause: context.DeadlineExceeded}
			}
			head.hasDeadline = true
			head.timeoutMillis = uint32(math.Min(math.Ceil(float64(left)/float64(time.Millisecond)), math.MaxUint32))
		}
		if a, ok := cn.start(cl.path, head, cl.payload); ok {
			return cn, a, nil
		}
		// cn stopped taking calls since connection returned it: wait for the next one.
		c.uninstall(cn)
	}
}

// stream is one attempt of a server-streaming call.
type stream struct {
	conn    *conn
	attempt *attempt
}

// openStream starts a server-streaming call, waiting up to Options.DefaultTimeout
// for a connection (UNAVAILABLE after that).
func (c *Client) openStream(ctx context.Context, cl *call) (*stream, *Error) {
	waitCtx, cancel := context.WithTimeout(ctx, c.opts.DefaultTimeout)
	defer cancel()
	cn, a, err := c.send(ctx, waitCtx, cl)
	if err != nil {
		if ctx.Err() == nil && err.Code == DeadlineExceeded {
			err = newError(Unavailable, "no connection within %v", c.opts.DefaultTimeout)
		}
		return nil, err
	}
	return &stream{conn: cn, attempt: a}, nil
}

// recv returns the stream's next message; once none is left, the outcome that
// ended the stream. When ctx ends first the call is cancelled.
func (s *stream) recv(ctx context.Context) ([]byte, *outcome) {
	for {
		if message, end, ok := s.attempt.next(); ok {
			return message, end
		}
		select {
		case <-s.attempt.signal:
		case <-ctx.Done():
			err := contextError(ctx)
			s.conn.cancel(s.attempt, err)
			return nil, &outcome{err: err}
		}
	}
}
