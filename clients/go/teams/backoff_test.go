package teams

import (
	"testing"
	"time"
)

func TestConnectionBackoff(t *testing.T) {
	bases := []time.Duration{time.Second, 1600 * time.Millisecond, 2560 * time.Millisecond}
	for attempt, base := range bases {
		for i := 0; i < 100; i++ {
			d := DefaultConnectionBackoff.Delay(attempt)
			if d < base*8/10 || d > base*12/10 {
				t.Fatalf("attempt %d: delay %v, want %v ±20 %%", attempt, d, base)
			}
		}
	}
	for i := 0; i < 100; i++ {
		if d := DefaultConnectionBackoff.Delay(50); d < 96*time.Second || d > 144*time.Second {
			t.Fatalf("attempt 50: delay %v, want 120 s ±20 %%", d)
		}
	}
}

func TestRetryThrottle(t *testing.T) {
	throttle := newRetryThrottle()
	// 10 tokens: failures leave 9, 8, 7, 6 (retry allowed), then 5 (not: more than 5 needed).
	for i := 0; i < 4; i++ {
		if !throttle.failure() {
			t.Fatalf("failure %d refused a retry", i+1)
		}
	}
	if throttle.failure() {
		t.Fatal("the fifth failure allowed a retry")
	}
	for i := 0; i < 11; i++ {
		throttle.success()
	}
	if !throttle.failure() {
		t.Fatal("11 successes did not earn a retry back")
	}
}
