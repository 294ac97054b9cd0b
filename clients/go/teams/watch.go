package teams

import (
	"context"

	"google.golang.org/protobuf/proto"

	"teamservice/clients/go/teamsv1"
)

// Watch is a WatchEvents stream that outlives failures. When the stream ends
// UNAVAILABLE (a server drained or stopped, a connection lost), RESOURCE_EXHAUSTED
// (the reader fell behind) or never ran, the watch calls again from the sequence
// after the last event delivered, after Options.ReconnectBackoff (at once for a
// call that never ran; the backoff starts again from its first step after each
// event delivered). So each event is delivered once, in order, without gaps.
//
// The watch ends on any other status: DEADLINE_EXCEEDED or CANCELLED when its
// context ends or Close is called, OUT_OF_RANGE when its first sequence has been
// pruned, and so on. Recv is for one goroutine at a time.
type Watch struct {
	events chan Event
	// done is closed when the watch has ended; err is set before.
	done   chan struct{}
	err    error
	cancel context.CancelFunc
}

// WatchEvents watches the store's events from sequence fromSequence on: the stored
// ones, then live ones as they are stored. fromSequence 0 means only events stored
// from now on; until the first one arrives, a resumed watch asks again for only
// new events, so the events of the gap are missed. The watch runs until ctx ends
// or Close is called; each attempt waits up to Options.DefaultTimeout for a connection.
func (c *Client) WatchEvents(ctx context.Context, fromSequence uint64, opts ...CallOption) *Watch {
	ctx, cancel := context.WithCancel(ctx)
	w := &Watch{events: make(chan Event), done: make(chan struct{}), cancel: cancel}
	go w.run(ctx, c, fromSequence, collectOptions(opts))
	return w
}

// Recv returns the next event; once the watch has ended, the error that ended it.
func (w *Watch) Recv() (Event, error) {
	select {
	case event := <-w.events:
		return event, nil
	case <-w.done:
		return Event{}, w.err
	}
}

// Close ends the watch, cancelling its call in flight, and waits until it has ended.
func (w *Watch) Close() {
	w.cancel()
	<-w.done
}

// run calls WatchEvents, again and again as the type's comment says, until the watch ends.
func (w *Watch) run(ctx context.Context, c *Client, next uint64, o *callOptions) {
	defer close(w.done)
	failures := 0
	for {
		end := w.follow(ctx, c, &next, &failures, o)
		if ctx.Err() != nil {
			w.err = contextError(ctx)
			return
		}
		if end.notRun {
			continue
		}
		if end.err != nil && end.err.Code != Unavailable && end.err.Code != ResourceExhausted {
			w.err = end.err
			return
		}
		if !sleep(c.opts.ReconnectBackoff.Delay(failures), ctx.Done()) {
			w.err = contextError(ctx)
			return
		}
		failures++
	}
}

// follow makes one WatchEvents call from *next and delivers its events, moving
// *next past each one and resetting *failures; it returns how the call ended.
func (w *Watch) follow(ctx context.Context, c *Client, next *uint64, failures *int, o *callOptions) outcome {
	cl, err := newCall(methodWatchEvents, &teamsv1.WatchEventsRequest{FromSequence: *next}, o)
	if err != nil {
		return outcome{err: err}
	}
	s, err := c.openStream(ctx, cl)
	if err != nil {
		return outcome{err: err}
	}
	for {
		message, end := s.recv(ctx)
		if end != nil {
			return *end
		}
		var event teamsv1.TeamEvent
		if err := proto.Unmarshal(message, &event); err != nil {
			e := &Error{Code: Internal, Message: "an event does not decode: " + err.Error(), cause: err}
			s.conn.cancel(s.attempt, e)
			return outcome{err: e}
		}
		if event.Sequence < *next {
			continue // delivered before the watch resumed
		}
		select {
		case w.events <- eventFromProto(&event):
		case <-ctx.Done():
			e := contextError(ctx)
			s.conn.cancel(s.attempt, e)
			return outcome{err: e}
		}
		*next = event.Sequence + 1
		*failures = 0
	}
}
