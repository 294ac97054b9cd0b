package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// drain: eight loops of CreateTeam for 3 s across two servers; SIGTERM to the
// first after 1 s. No call may fail, and calls go on succeeding after the SIGTERM.
func drain(ctx context.Context, r *run) {
	if len(r.cfg.servers) < 2 {
		r.failf("drain needs two --server")
		return
	}
	client := r.client(r.cfg.token)
	if client == nil {
		return
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	var terminated atomic.Bool
	var afterSIGTERM atomic.Int64
	end := time.Now().Add(3 * time.Second)
	var loops sync.WaitGroup
	for loop := 0; loop < 8; loop++ {
		loops.Add(1)
		go func(loop int) {
			defer loops.Done()
			for i := 0; time.Now().Before(end); i++ {
				sentAfterSIGTERM := terminated.Load()
				if _, err := client.CreateTeam(ctx, fmt.Sprintf("Conformance drain %d-%d", loop, i)); err != nil {
					r.failf("CreateTeam in loop %d (SIGTERM sent before it: %v): %v", loop, sentAfterSIGTERM, err)
					return
				}
				if sentAfterSIGTERM {
					afterSIGTERM.Add(1)
				}
			}
		}(loop)
	}
	time.Sleep(time.Second)
	if err := terminate(r.cfg.serverPID); err != nil {
		r.failf("SIGTERM to --server-pid: %v", err)
	}
	terminated.Store(true)
	loops.Wait()
	if afterSIGTERM.Load() == 0 {
		r.failf("no CreateTeam succeeded after the SIGTERM")
	}
}
