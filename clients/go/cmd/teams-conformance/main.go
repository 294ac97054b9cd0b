// Command teams-conformance runs one client conformance scenario of
// clients/conformance/README.md against running teams-servers, through the
// public API of package teams only:
//
//	teams-conformance SCENARIO [--server HOST:PORT]... [--token TOKEN] [--reader-token TOKEN]
//	                  [--server-pid PID] [--restart-command 'SHELL COMMAND']
//
// It exits 0 when every check passed; otherwise it prints one line per failed
// check to stderr, starting "FAIL SCENARIO: ", and exits 1. An unknown scenario
// or bad arguments exit 2.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// scenarios maps each scenario's name to the function that runs it.
var scenarios = map[string]func(ctx context.Context, r *run){
	"create-get":   createGet,
	"errors":       errorsScenario,
	"deadline":     deadline,
	"drain":        drain,
	"auth":         auth,
	"watch-resume": watchResume,
}

// scenarioTimeout keeps a run within the interface's 60 s.
const scenarioTimeout = 55 * time.Second

// config is the command line after the scenario.
type config struct {
	servers        []string
	token          string
	readerToken    string
	serverPID      int
	restartCommand string
}

func main() {
	if len(os.Args) < 2 || scenarios[os.Args[1]] == nil {
		names := make([]string, 0, len(scenarios))
		for name := range scenarios {
			names = append(names, name)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "usage: teams-conformance SCENARIO [--server HOST:PORT]... [options]\nscenarios: %s\n", strings.Join(names, ", "))
		os.Exit(2)
	}
	scenario := os.Args[1]
	cfg, err := parseFlags(os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), scenarioTimeout)
	r := &run{scenario: scenario, cfg: cfg}
	scenarios[scenario](ctx, r)
	cancel()
	os.Exit(r.exitCode())
}

func parseFlags(args []string) (config, error) {
	var cfg config
	flags := flag.NewFlagSet("teams-conformance", flag.ContinueOnError)
	flags.Func("server", "a server's HOST:PORT; repeat for more endpoints, in order", func(s string) error {
		cfg.servers = append(cfg.servers, s)
		return nil
	})
	flags.StringVar(&cfg.token, "token", "", "a writer's token")
	flags.StringVar(&cfg.readerToken, "reader-token", "", "a reader's token")
	flags.IntVar(&cfg.serverPID, "server-pid", 0, "the pid of the (first) server, for SIGTERM")
	flags.StringVar(&cfg.restartCommand, "restart-command", "", "a shell command that starts the server again and prints its pid")
	if err := flags.Parse(args); err != nil {
		return cfg, err
	}
	if flags.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %q", flags.Args())
	}
	if len(cfg.servers) == 0 {
		return cfg, fmt.Errorf("no --server given")
	}
	return cfg, nil
}
