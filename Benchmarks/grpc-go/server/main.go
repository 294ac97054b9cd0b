// grpc-teams-server-go serves teams.v1.TeamService (and teams.v1.Health) over
// grpc-go, plaintext HTTP/2, on an in-memory or SQLite store: the baseline a Go
// team would keep. See Benchmarks/grpc-go/README.md.
package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"google.golang.org/grpc"

	"teamsbench/cli"
	pb "teamsbench/teamsv1"
)

const program = "grpc-teams-server-go"

type options struct {
	host  string
	port  int
	store string
	db    string
	procs int
}

func parseOptions(args []string) options {
	var o options
	command := cli.New(program, "[--host H] [--port P] [--store memory|sqlite] [--db PATH] [--procs N]")
	flags := command.Flags
	flags.StringVar(&o.host, "host", "127.0.0.1", "address to listen on")
	flags.IntVar(&o.port, "port", 7072, "port to listen on; 0 picks a free one")
	flags.StringVar(&o.store, "store", "memory", "memory or sqlite")
	flags.StringVar(&o.db, "db", "teams-go.sqlite", "the SQLite database file, for --store sqlite")
	flags.IntVar(&o.procs, "procs", 0, "GOMAXPROCS; 0 keeps Go's default (one per core)")
	command.Parse(args)
	if o.port < 0 || o.port > 65535 {
		command.Fail("invalid value %d for --port: want 0...65535", o.port)
	}
	if o.store != "memory" && o.store != "sqlite" {
		command.Fail("invalid value %q for --store: want memory or sqlite", o.store)
	}
	if o.store == "sqlite" && o.db == "" {
		command.Fail("invalid value \"\" for --db: want a file path")
	}
	if o.procs < 0 {
		command.Fail("invalid value %d for --procs: want 0 (Go's default) or more", o.procs)
	}
	return o
}

func main() {
	o := parseOptions(os.Args[1:])
	if o.procs > 0 {
		runtime.GOMAXPROCS(o.procs)
	}

	var st store
	if o.store == "sqlite" {
		s, err := openSQLite(o.db)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: cannot open --db %s: %v\n", program, o.db, err)
			os.Exit(1)
		}
		st = s
	} else {
		st = newMemoryStore()
	}

	address := net.JoinHostPort(o.host, strconv.Itoa(o.port))
	listener, err := net.Listen("tcp", address)
	if err != nil {
		st.close()
		fmt.Fprintf(os.Stderr, "%s: cannot listen on %s: %v\n", program, address, err)
		os.Exit(1)
	}

	server := grpc.NewServer()
	pb.RegisterTeamServiceServer(server, &teamService{store: st, ids: newIDGenerator()})
	pb.RegisterHealthServer(server, &healthService{store: st.describe()})

	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	stopped := make(chan struct{})
	go func() {
		<-signals
		done := make(chan struct{})
		go func() { server.GracefulStop(); close(done) }()
		select {
		case <-done:
		case <-signals:
			server.Stop()
		case <-time.After(5 * time.Second):
			server.Stop()
		}
		close(stopped)
	}()

	fmt.Fprintf(os.Stderr, "%s: store %s, GOMAXPROCS %d\n", program, st.describe(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(os.Stderr, "listening on %s\n", listener.Addr())
	if err := server.Serve(listener); err != nil {
		st.close()
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
		os.Exit(1)
	}
	<-stopped
	if err := st.close(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: closing the store: %v\n", program, err)
		os.Exit(1)
	}
}
