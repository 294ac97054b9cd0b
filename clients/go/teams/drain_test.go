package teams

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// SIGTERM to one of two servers while calls are in flight: calls it accepted
// finish, calls after its GOAWAY go to the other server (authenticating there
// too), and no call fails.
func TestDrainFailsOverWithoutErrors(t *testing.T) {
	tokens := writeTokensFile(t, map[string]string{"writer-1 writer": "writer-secret"})
	a := startServer(t, "--store", "memory", "--auth-tokens", tokens)
	b := startServer(t, "--store", "memory", "--auth-tokens", tokens)
	client := newTestClient(t, Options{Endpoints: []string{a.addr, b.addr}, Token: "writer-secret"})
	ctx := testContext(t, 30*time.Second)

	var terminated atomic.Bool
	var before, after atomic.Int64
	stop := time.Now().Add(2500 * time.Millisecond)
	var wg sync.WaitGroup
	for worker := 0; worker < 8; worker++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			for i := 0; time.Now().Before(stop); i++ {
				wasTerminated := terminated.Load()
				if _, err := client.CreateTeam(ctx, fmt.Sprintf("Drain %d-%d", worker, i)); err != nil {
					t.Errorf("CreateTeam (SIGTERM sent: %v): %v", wasTerminated, err)
					return
				}
				if wasTerminated {
					after.Add(1)
				} else {
					before.Add(1)
				}
			}
		}(worker)
	}
	time.Sleep(800 * time.Millisecond)
	terminated.Store(true)
	a.terminate()
	wg.Wait()
	select {
	case <-a.exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the drained server did not exit")
	}
	if before.Load() == 0 || after.Load() == 0 {
		t.Fatalf("%d calls before the SIGTERM, %d after; want some of each", before.Load(), after.Load())
	}
	t.Logf("%d calls before the SIGTERM, %d after", before.Load(), after.Load())
}
