// grpc-teams-seed-go seeds a teams.v1.TeamService server with teams and players
// over gRPC and prints their ids, one per line; with --check it instead runs a
// quick correctness pass. See Benchmarks/grpc-go/README.md.
package main

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	"teamsbench/cli"
	pb "teamsbench/teamsv1"
)

const program = "grpc-teams-seed-go"

type options struct {
	target      string
	teams       int
	players     int
	concurrency int
	check       bool
	get         string
}

func parseOptions(args []string) options {
	var o options
	command := cli.New(program, "[--target HOST:PORT] [--teams N] [--players-per-team P] [--concurrency C] [--check | --get ID]")
	flags := command.Flags
	flags.StringVar(&o.target, "target", "127.0.0.1:7072", "the server, HOST:PORT")
	flags.IntVar(&o.teams, "teams", 1, "teams to create (named b0, b1, ...)")
	flags.IntVar(&o.players, "players-per-team", 11, "players to add to each team (p1, p2, ...; positions GK, DEF, MID, ST in turn)")
	flags.IntVar(&o.concurrency, "concurrency", 32, "teams seeded at once")
	flags.BoolVar(&o.check, "check", false, "run a quick correctness pass instead of seeding")
	flags.StringVar(&o.get, "get", "", "print the team with this id (GetTeam, as JSON) instead of seeding")
	command.Parse(args)
	if o.target == "" {
		command.Fail("invalid value \"\" for --target: want HOST:PORT")
	}
	if o.teams < 0 {
		command.Fail("invalid value %d for --teams: want 0 or more", o.teams)
	}
	if o.players < 0 || o.players > 100 {
		command.Fail("invalid value %d for --players-per-team: want 0...100 (the squad limit)", o.players)
	}
	if o.concurrency < 1 {
		command.Fail("invalid value %d for --concurrency: want 1 or more", o.concurrency)
	}
	return o
}

func main() {
	o := parseOptions(os.Args[1:])
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	conn, err := grpc.DialContext(ctx, o.target, grpc.WithInsecure(), grpc.WithBlock())
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: cannot connect to %s: %v\n", program, o.target, err)
		os.Exit(1)
	}
	defer conn.Close()
	client := pb.NewTeamServiceClient(conn)
	if o.check {
		if err := check(client, pb.NewHealthClient(conn)); err != nil {
			fmt.Fprintf(os.Stderr, "check: FAILED: %v\n", err)
			os.Exit(1)
		}
		fmt.Println("check: ok")
		return
	}
	if o.get != "" {
		ctx, cancel := call()
		defer cancel()
		r, err := client.GetTeam(ctx, &pb.GetTeamRequest{Id: o.get})
		if err != nil {
			fmt.Fprintf(os.Stderr, "get: %v\n", err)
			os.Exit(1)
		}
		json, _ := protojson.Marshal(r.GetTeam())
		fmt.Println(string(json))
		return
	}
	if err := seed(client, o); err != nil {
		fmt.Fprintf(os.Stderr, "seed: %v\n", err)
		os.Exit(1)
	}
}

var positions = []pb.Position{pb.Position_POSITION_GK, pb.Position_POSITION_DEF, pb.Position_POSITION_MID, pb.Position_POSITION_ST}

func call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// seed creates the teams with --concurrency workers over one connection and
// prints their ids in the order of their names.
func seed(client pb.TeamServiceClient, o options) error {
	ids := make([]string, o.teams)
	indices := make(chan int)
	var done int64
	var failMu sync.Mutex
	var failure error
	failed := func() error { failMu.Lock(); defer failMu.Unlock(); return failure }
	var progress sync.Mutex
	lastDecile := 0
	started := time.Now()

	var workers sync.WaitGroup
	for w := 0; w < o.concurrency && w < o.teams; w++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for index := range indices {
				if failed() != nil {
					continue
				}
				id, err := seedTeam(client, index, o.players)
				if err != nil {
					failMu.Lock()
					if failure == nil {
						failure = err
					}
					failMu.Unlock()
					continue
				}
				ids[index] = id
				n := int(atomic.AddInt64(&done, 1))
				if decile := n * 10 / o.teams; decile > 0 {
					progress.Lock()
					if decile > lastDecile {
						lastDecile = decile
						fmt.Fprintf(os.Stderr, "seed: %d%% (%d/%d teams, %.1fs)\n", decile*10, n, o.teams, time.Since(started).Seconds())
					}
					progress.Unlock()
				}
			}
		}()
	}
	for i := 0; i < o.teams; i++ {
		indices <- i
	}
	close(indices)
	workers.Wait()
	if err := failed(); err != nil {
		return err
	}
	out := make([]byte, 0, 21*len(ids))
	for _, id := range ids {
		out = append(append(out, id...), '\n')
	}
	_, err := os.Stdout.Write(out)
	return err
}

func seedTeam(client pb.TeamServiceClient, index, players int) (string, error) {
	name := fmt.Sprintf("b%d", index)
	ctx, cancel := call()
	created, err := client.CreateTeam(ctx, &pb.CreateTeamRequest{Name: name})
	cancel()
	if err != nil {
		return "", fmt.Errorf("team %s: CreateTeam: %v", name, err)
	}
	id := created.GetTeam().GetId()
	for p := 0; p < players; p++ {
		ctx, cancel := call()
		_, err := client.AddPlayer(ctx, &pb.AddPlayerRequest{
			TeamId: id, Player: &pb.Player{Name: fmt.Sprintf("p%d", p+1), Position: positions[p%len(positions)]},
		})
		cancel()
		if err != nil {
			return "", fmt.Errorf("team %s (%s): AddPlayer p%d: %v", name, id, p+1, err)
		}
	}
	return id, nil
}

// MARK: --check

type checker struct {
	client  pb.TeamServiceClient
	created []string
}

func expectCode(err error, want codes.Code, what string) error {
	if got := status.Code(err); got != want {
		return fmt.Errorf("%s: want %v, got %v (%v)", what, want, got, err)
	}
	return nil
}

func expectTeam(t *pb.Team, name string, version uint64, players int, what string) error {
	if t == nil {
		return fmt.Errorf("%s: the response has no team", what)
	}
	if len(t.GetId()) != 20 || t.GetName() != name || t.GetVersion() != version || len(t.GetPlayers()) != players {
		return fmt.Errorf("%s: want name %q, version %d, %d players and a 20-character id; got %v", what, name, version, players, t)
	}
	return nil
}

func (c *checker) create(name, key string) (*pb.Team, error) {
	ctx, cancel := call()
	defer cancel()
	r, err := c.client.CreateTeam(ctx, &pb.CreateTeamRequest{Name: name, IdempotencyKey: key})
	if err == nil {
		c.created = append(c.created, r.GetTeam().GetId())
	}
	return r.GetTeam(), err
}

func check(client pb.TeamServiceClient, health pb.HealthClient) error {
	c := &checker{client: client}
	err := c.run(health)
	for _, id := range c.created { // best effort: leave no check teams behind
		ctx, cancel := call()
		client.DeleteTeam(ctx, &pb.DeleteTeamRequest{Id: id})
		cancel()
	}
	return err
}

func (c *checker) run(health pb.HealthClient) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cl := c.client
	run := fmt.Sprintf("chk%06d", rand.New(rand.NewSource(time.Now().UnixNano())).Intn(1000000))

	if r, err := health.Check(ctx, &pb.CheckRequest{}); err != nil || r.GetStatus() != pb.CheckResponse_SERVING_STATUS_SERVING {
		return fmt.Errorf("Health/Check: want SERVING, got %v (%v)", r, err)
	}

	// Create, get.
	team, err := c.create("  "+run+" One \n", "")
	if err != nil {
		return fmt.Errorf("CreateTeam: %v", err)
	}
	if err := expectTeam(team, run+" One", 1, 0, "CreateTeam trims the name"); err != nil {
		return err
	}
	id := team.GetId()
	got, err := cl.GetTeam(ctx, &pb.GetTeamRequest{Id: id})
	if err != nil {
		return fmt.Errorf("GetTeam %s: %v", id, err)
	}
	if err := expectTeam(got.GetTeam(), run+" One", 1, 0, "GetTeam"); err != nil {
		return err
	}

	// Rename, with and without expected_version.
	renamed, err := cl.RenameTeam(ctx, &pb.RenameTeamRequest{Id: id, Name: run + " Renamed", ExpectedVersion: 1})
	if err != nil {
		return fmt.Errorf("RenameTeam: %v", err)
	}
	if err := expectTeam(renamed.GetTeam(), run+" Renamed", 2, 0, "RenameTeam"); err != nil {
		return err
	}
	_, err = cl.RenameTeam(ctx, &pb.RenameTeamRequest{Id: id, Name: "stale", ExpectedVersion: 1})
	if err := expectCode(err, codes.Aborted, "RenameTeam with a stale expected_version"); err != nil {
		return err
	}
	_, err = cl.RenameTeam(ctx, &pb.RenameTeamRequest{Id: id, Name: " \t "})
	if err := expectCode(err, codes.InvalidArgument, "RenameTeam to a blank name"); err != nil {
		return err
	}

	// Players.
	added, err := cl.AddPlayer(ctx, &pb.AddPlayerRequest{TeamId: id, Player: &pb.Player{Name: " Alice ", Position: pb.Position_POSITION_GK}})
	if err != nil {
		return fmt.Errorf("AddPlayer: %v", err)
	}
	if err := expectTeam(added.GetTeam(), run+" Renamed", 3, 1, "AddPlayer"); err != nil {
		return err
	}
	if p := added.GetTeam().GetPlayers()[0]; p.GetName() != "Alice" || p.GetPosition() != pb.Position_POSITION_GK {
		return fmt.Errorf("AddPlayer: want Alice GK, got %v", p)
	}
	for _, bad := range []struct {
		req  *pb.AddPlayerRequest
		want codes.Code
		what string
	}{
		{&pb.AddPlayerRequest{TeamId: id, Player: &pb.Player{Name: "ALICE", Position: pb.Position_POSITION_MID}}, codes.AlreadyExists, "AddPlayer of a taken name (other case)"},
		{&pb.AddPlayerRequest{TeamId: id, Player: &pb.Player{Name: "Bob"}}, codes.InvalidArgument, "AddPlayer without a position"},
		{&pb.AddPlayerRequest{TeamId: id, Player: &pb.Player{Name: "Bob", Position: 9}}, codes.InvalidArgument, "AddPlayer with an unknown position"},
		{&pb.AddPlayerRequest{TeamId: id}, codes.InvalidArgument, "AddPlayer without a player"},
		{&pb.AddPlayerRequest{TeamId: id, Player: &pb.Player{Name: "   ", Position: pb.Position_POSITION_ST}}, codes.InvalidArgument, "AddPlayer with a blank name"},
		{&pb.AddPlayerRequest{TeamId: id, Player: &pb.Player{Name: strings.Repeat("x", 101), Position: pb.Position_POSITION_ST}}, codes.InvalidArgument, "AddPlayer with a 101-character name"},
		{&pb.AddPlayerRequest{TeamId: id, Player: &pb.Player{Name: "Bob", Position: pb.Position_POSITION_ST}, ExpectedVersion: 2}, codes.Aborted, "AddPlayer with a stale expected_version"},
		{&pb.AddPlayerRequest{TeamId: "not-an-id", Player: &pb.Player{Name: "Bob", Position: pb.Position_POSITION_ST}}, codes.InvalidArgument, "AddPlayer to a malformed id"},
		{&pb.AddPlayerRequest{TeamId: "00000000000000000000", Player: &pb.Player{Name: "Bob", Position: pb.Position_POSITION_ST}}, codes.NotFound, "AddPlayer to an unknown team"},
	} {
		_, err := cl.AddPlayer(ctx, bad.req)
		if err := expectCode(err, bad.want, bad.what); err != nil {
			return err
		}
	}
	long := strings.Repeat("é", 100)
	if _, err := cl.AddPlayer(ctx, &pb.AddPlayerRequest{TeamId: id, Player: &pb.Player{Name: long, Position: pb.Position_POSITION_ST}, ExpectedVersion: 3}); err != nil {
		return fmt.Errorf("AddPlayer with a 100-character name: %v", err)
	}
	_, err = cl.RemovePlayer(ctx, &pb.RemovePlayerRequest{TeamId: id, Player: &pb.Player{Name: "alice", Position: pb.Position_POSITION_MID}})
	if err := expectCode(err, codes.NotFound, "RemovePlayer with the wrong position"); err != nil {
		return err
	}
	removed, err := cl.RemovePlayer(ctx, &pb.RemovePlayerRequest{TeamId: id, Player: &pb.Player{Name: "aLiCe", Position: pb.Position_POSITION_GK}})
	if err != nil {
		return fmt.Errorf("RemovePlayer: %v", err)
	}
	if err := expectTeam(removed.GetTeam(), run+" Renamed", 5, 1, "RemovePlayer"); err != nil {
		return err
	}

	// The squad limit: 100 players, then FAILED_PRECONDITION.
	for i := 1; i < 100; i++ {
		if _, err := cl.AddPlayer(ctx, &pb.AddPlayerRequest{TeamId: id, Player: &pb.Player{Name: fmt.Sprintf("p%d", i), Position: positions[i%4]}}); err != nil {
			return fmt.Errorf("AddPlayer p%d: %v", i, err)
		}
	}
	_, err = cl.AddPlayer(ctx, &pb.AddPlayerRequest{TeamId: id, Player: &pb.Player{Name: "one too many", Position: pb.Position_POSITION_GK}})
	if err := expectCode(err, codes.FailedPrecondition, "AddPlayer to a full squad"); err != nil {
		return err
	}

	// Idempotency keys.
	first, err := c.create(run+" Idem", run+"-key")
	if err != nil {
		return fmt.Errorf("CreateTeam with a key: %v", err)
	}
	again, err := c.create(run+" Idem again", run+"-key")
	if err != nil {
		return fmt.Errorf("CreateTeam retried with the key: %v", err)
	}
	if again.GetId() != first.GetId() || again.GetName() != run+" Idem" {
		return fmt.Errorf("CreateTeam retried with the key: want team %s, got %v", first.GetId(), again)
	}
	_, err = c.create("x", strings.Repeat("k", 129))
	if err := expectCode(err, codes.InvalidArgument, "CreateTeam with a 129-byte key"); err != nil {
		return err
	}
	_, err = c.create("", "")
	if err := expectCode(err, codes.InvalidArgument, "CreateTeam with an empty name"); err != nil {
		return err
	}
	_, err = c.create(strings.Repeat("n", 101), "")
	if err := expectCode(err, codes.InvalidArgument, "CreateTeam with a 101-character name"); err != nil {
		return err
	}

	// Search: order by lower-cased name then id, pages, tokens.
	var names []string
	for _, n := range []string{"C", "a", "B"} {
		name := run + "-srch-" + n
		if _, err := c.create(name, ""); err != nil {
			return fmt.Errorf("CreateTeam %s: %v", name, err)
		}
	}
	term := " " + strings.ToUpper(run) + "-SRCH "
	var token string
	for page := 0; ; page++ {
		r, err := cl.SearchTeams(ctx, &pb.SearchTeamsRequest{Term: term, PageSize: 2, PageToken: token})
		if err != nil {
			return fmt.Errorf("SearchTeams page %d: %v", page, err)
		}
		if want := []int{2, 1}[min(page, 1)]; len(r.GetTeams()) != want {
			return fmt.Errorf("SearchTeams page %d: want %d teams, got %d", page, want, len(r.GetTeams()))
		}
		for _, t := range r.GetTeams() {
			names = append(names, t.GetName())
		}
		token = r.GetNextPageToken()
		if token == "" {
			break
		}
		if page > 1 {
			return fmt.Errorf("SearchTeams: more pages than teams")
		}
	}
	if want := run + "-srch-a," + run + "-srch-B," + run + "-srch-C"; strings.Join(names, ",") != want {
		return fmt.Errorf("SearchTeams: want %s, got %s", want, strings.Join(names, ","))
	}
	if r, err := cl.SearchTeams(ctx, &pb.SearchTeamsRequest{Term: run + "-nothing"}); err != nil || len(r.GetTeams()) != 0 || r.GetNextPageToken() != "" {
		return fmt.Errorf("SearchTeams with no match: want no teams, got %v (%v)", r, err)
	}
	_, err = cl.SearchTeams(ctx, &pb.SearchTeamsRequest{PageSize: 501})
	if err := expectCode(err, codes.InvalidArgument, "SearchTeams with page_size 501"); err != nil {
		return err
	}
	_, err = cl.SearchTeams(ctx, &pb.SearchTeamsRequest{PageToken: "zz"})
	if err := expectCode(err, codes.InvalidArgument, "SearchTeams with a bad page token"); err != nil {
		return err
	}

	// Get and delete.
	for _, bad := range []struct {
		id   string
		want codes.Code
	}{{"nope", codes.InvalidArgument}, {"0000000000000000000w", codes.InvalidArgument}, {"00000000000000000001", codes.InvalidArgument}, {"00000000000000000000", codes.NotFound}} {
		_, err := cl.GetTeam(ctx, &pb.GetTeamRequest{Id: bad.id})
		if err := expectCode(err, bad.want, fmt.Sprintf("GetTeam %q", bad.id)); err != nil {
			return err
		}
	}
	_, err = cl.DeleteTeam(ctx, &pb.DeleteTeamRequest{Id: id, ExpectedVersion: 1})
	if err := expectCode(err, codes.Aborted, "DeleteTeam with a stale expected_version"); err != nil {
		return err
	}
	if _, err := cl.DeleteTeam(ctx, &pb.DeleteTeamRequest{Id: id, ExpectedVersion: 104}); err != nil {
		return fmt.Errorf("DeleteTeam at version 104: %v", err)
	}
	_, err = cl.GetTeam(ctx, &pb.GetTeamRequest{Id: id})
	if err := expectCode(err, codes.NotFound, "GetTeam after DeleteTeam"); err != nil {
		return err
	}
	_, err = cl.DeleteTeam(ctx, &pb.DeleteTeamRequest{Id: id})
	if err := expectCode(err, codes.NotFound, "DeleteTeam twice"); err != nil {
		return err
	}
	_, err = cl.RenameTeam(ctx, &pb.RenameTeamRequest{Id: id, Name: "gone"})
	if err := expectCode(err, codes.NotFound, "RenameTeam of a deleted team"); err != nil {
		return err
	}
	return nil
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
