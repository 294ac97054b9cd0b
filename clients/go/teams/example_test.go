package teams_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"teamservice/clients/go/teams"
)

// The README's example: connect, create a team, add a player, handle an error,
// and watch the events.
func Example() {
	client, err := teams.New(teams.Options{
		Endpoints: []string{"127.0.0.1:7070", "127.0.0.1:7071"}, // the second is the fail-over
		Token:     "my-writer-token",                            // omit for a server without --auth-tokens
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	team, err := client.CreateTeam(ctx, "Ajax", teams.WithIdempotencyKey("create-ajax-1"))
	if err != nil {
		log.Fatal(err)
	}
	team, err = client.AddPlayer(ctx, team.ID, teams.Player{Name: "Edwin", Position: teams.PositionGK}, team.Version)
	var e *teams.Error
	switch {
	case errors.As(err, &e) && e.Code == teams.Aborted:
		fmt.Println("someone changed the team first; re-read it and decide again")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Printf("%s v%d: %v\n", team.Name, team.Version, team.Players)
	}

	var md teams.Metadata
	_, err = client.GetTeam(ctx, "00000000000000000000",
		teams.WithMetadata(teams.MetadataRequestID, "req-42"), teams.WithResponseMetadata(&md))
	if teams.CodeOf(err) == teams.NotFound {
		requestID, _ := md.Get(teams.MetadataRequestID)
		fmt.Println("no such team; request", requestID)
	}

	watch := client.WatchEvents(context.Background(), 1) // every stored event, then live ones
	defer watch.Close()
	for {
		event, err := watch.Recv()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(event.Sequence, event.Kind, event.TeamID, event.Player.Name)
	}
}
