package teams

import "sync"

// retryThrottle is gRPC's retry throttling, as docs/PROTOCOL.md's "Retry budget"
// asks: a bucket of 10 tokens, starting full; each retryable failure takes 1, each
// success gives back 0.1 (up to 10), and a call is retried only while more than 5
// remain. A server in trouble thus sees a few retries, not a storm of them.
type retryThrottle struct {
	mu     sync.Mutex
	tokens float64
}

const (
	throttleMaxTokens  = 10
	throttleTokenRatio = 0.1
)

func newRetryThrottle() *retryThrottle {
	return &retryThrottle{tokens: throttleMaxTokens}
}

// failure counts a retryable failure and reports whether it may be retried.
func (t *retryThrottle) failure() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tokens--
	if t.tokens < 0 {
		t.tokens = 0
	}
	return t.tokens > throttleMaxTokens/2
}

// success counts a call that got an answer.
func (t *retryThrottle) success() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.tokens += throttleTokenRatio
	if t.tokens > throttleMaxTokens {
		t.tokens = throttleMaxTokens
	}
}
