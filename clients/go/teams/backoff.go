package teams

import (
	"math"
	"math/rand"
	"time"
)

// Backoff is an exponential backoff with jitter: the delay before retry n (from 0)
// is Initial × Multiplier^n, at most Max, then spread by ±Jitter (a fraction), so
// that clients which lost the same server do not come back in step.
type Backoff struct {
	Initial    time.Duration
	Multiplier float64
	Jitter     float64
	Max        time.Duration
}

// DefaultConnectionBackoff is gRPC's connection backoff, which docs/PROTOCOL.md asks
// clients to reconnect with: 1 s, ×1.6, ±20 %, at most 120 s.
var DefaultConnectionBackoff = Backoff{Initial: time.Second, Multiplier: 1.6, Jitter: 0.2, Max: 120 * time.Second}

// DefaultRetryBackoff spaces the retries of one call: 50 ms, ×2, ±20 %, at most 2 s.
var DefaultRetryBackoff = Backoff{Initial: 50 * time.Millisecond, Multiplier: 2, Jitter: 0.2, Max: 2 * time.Second}

// Delay returns the wait before retry number attempt (0 for the first).
func (b Backoff) Delay(attempt int) time.Duration {
	base := float64(b.Initial) * math.Pow(b.Multiplier, float64(attempt))
	if base > float64(b.Max) {
		base = float64(b.Max)
	}
	return time.Duration(base * (1 + b.Jitter*(2*rand.Float64()-1)))
}

// sleep waits for d, and reports false if done closes first.
func sleep(d time.Duration, done <-chan struct{}) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-done:
		return false
	}
}
