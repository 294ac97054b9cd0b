package teams

import "sync"

// maxStreamBuffer bounds the stream messages read for a call but not yet taken by
// its reader. Beyond it the call is cancelled with RESOURCE_EXHAUSTED, as the
// server does to a reader that falls 4 MiB behind; a Watch then resumes.
const maxStreamBuffer = 4 << 20

// attempt is one sending of a call on one connection: its call id there, the
// stream messages read for it, and how it ended. The connection's reader feeds
// it; the calling goroutine reads it.
type attempt struct {
	id uint32

	// done is closed once the attempt has ended; end is set before.
	done chan struct{}
	// signal has a value when a message has arrived or the attempt has ended.
	signal chan struct{}

	mu       sync.Mutex
	messages [][]byte
	buffered int
	ended    bool
	end      outcome
}

// outcome is how an attempt ended.
type outcome struct {
	// err is nil when the server answered OK.
	err *Error
	// notRun is set when the server never ran the call: it was never written in
	// full, or its id is above a GOAWAY's last call id. It may be sent again
	// anywhere, whatever its method.
	notRun bool
	// payload is the unary response message when err is nil.
	payload []byte
	// metadata is the RESPONSE's metadata, nil when it had none.
	metadata Metadata
}

func newAttempt(id uint32) *attempt {
	return &attempt{id: id, done: make(chan struct{}), signal: make(chan struct{}, 1)}
}

// push queues a stream message; it reports false when the reader has fallen more
// than maxStreamBuffer behind (the message is dropped then).
func (a *attempt) push(message []byte) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ended {
		return true
	}
	if a.buffered+len(message) > maxStreamBuffer {
		return false
	}
	a.messages = append(a.messages, message)
	a.buffered += len(message)
	a.notify()
	return true
}

// finish ends the attempt with o, unless it has already ended.
func (a *attempt) finish(o outcome) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ended {
		return
	}
	a.ended = true
	a.end = o
	close(a.done)
	a.notify()
}

// next returns the oldest message not yet taken; once there is none left and the
// attempt has ended, its outcome; otherwise ok is false: wait on signal.
func (a *attempt) next() (message []byte, end *outcome, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.messages) > 0 {
		message = a.messages[0]
		a.messages[0] = nil
		a.messages = a.messages[1:]
		a.buffered -= len(message)
		return message, nil, true
	}
	if a.ended {
		return nil, &a.end, true
	}
	return nil, nil, false
}

// result returns how the attempt ended; call it once done is closed.
func (a *attempt) result() outcome {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.end
}

func (a *attempt) notify() {
	select {
	case a.signal <- struct{}{}:
	default:
	}
}
