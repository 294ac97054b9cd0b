package main

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"teamservice/clients/go/teams"
)

// run is one scenario's run: its configuration and the checks that failed.
type run struct {
	scenario string
	cfg      config

	mu       sync.Mutex
	failures int
}

// failf records a failed check, printing it as "FAIL SCENARIO: ...".
func (r *run) failf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures++
	fmt.Fprintf(os.Stderr, "FAIL %s: %s\n", r.scenario, fmt.Sprintf(format, args...))
}

func (r *run) exitCode() int {
	if r.failures > 0 {
		return 1
	}
	return 0
}

// client returns a client for every --server, in order, with token.
func (r *run) client(token string) *teams.Client {
	client, err := teams.New(teams.Options{Endpoints: r.cfg.servers, Token: token})
	if err != nil {
		r.failf("making a client: %v", err)
		return nil
	}
	return client
}

// expectCode checks that err is a *teams.Error with code and a non-empty message;
// it reports whether it is.
func (r *run) expectCode(what string, err error, code teams.Code) bool {
	var e *teams.Error
	switch {
	case err == nil:
		r.failf("%s: succeeded, want status %d (%v)", what, code, code)
	case !errors.As(err, &e):
		r.failf("%s: error %v is not a *teams.Error", what, err)
	case e.Code != code:
		r.failf("%s: status %d (%v), want %d (%v): %s", what, e.Code, e.Code, code, code, e.Message)
	case e.Message == "":
		r.failf("%s: status %v with an empty message", what, code)
	default:
		return true
	}
	return false
}

// expectOK checks that err is nil; it reports whether it is.
func (r *run) expectOK(what string, err error) bool {
	if err != nil {
		r.failf("%s: %v", what, err)
		return false
	}
	return true
}
