package teams

import (
	"fmt"
	"time"

	"teamservice/clients/go/teamsv1"
)

// Position is a player's position (teams.v1.Position).
type Position int32

// The positions; the server refuses PositionUnspecified and unknown numbers.
const (
	PositionUnspecified Position = 0
	PositionGK          Position = 1
	PositionDEF         Position = 2
	PositionMID         Position = 3
	PositionST          Position = 4
)

// String returns "GK", "DEF", "MID" or "ST", else "POSITION_<n>".
func (p Position) String() string {
	switch p {
	case PositionGK:
		return "GK"
	case PositionDEF:
		return "DEF"
	case PositionMID:
		return "MID"
	case PositionST:
		return "ST"
	}
	return fmt.Sprintf("POSITION_%d", int32(p))
}

// Player is a member of a team's squad. Names are unique in a team ignoring case.
type Player struct {
	Name     string
	Position Position
}

// Team is a football team.
type Team struct {
	// ID is 20 characters of 0-9a-v (the xid format).
	ID      string
	Name    string
	Players []Player
	// Version is 1 when the team is created and +1 per change. Pass it as an
	// expectedVersion to make a change only if nobody else changed the team since.
	Version uint64
}

// EventKind says what an Event records (teams.v1.TeamEvent.Kind).
type EventKind int32

// The kinds of events.
const (
	EventKindUnspecified EventKind = 0
	EventTeamCreated     EventKind = 1
	EventTeamRenamed     EventKind = 2
	EventTeamDeleted     EventKind = 3
	EventPlayerAdded     EventKind = 4
	EventPlayerRemoved   EventKind = 5
)

// String returns the kind's name, e.g. "TEAM_CREATED", else "KIND_<n>".
func (k EventKind) String() string {
	switch k {
	case EventTeamCreated:
		return "TEAM_CREATED"
	case EventTeamRenamed:
		return "TEAM_RENAMED"
	case EventTeamDeleted:
		return "TEAM_DELETED"
	case EventPlayerAdded:
		return "PLAYER_ADDED"
	case EventPlayerRemoved:
		return "PLAYER_REMOVED"
	}
	return fmt.Sprintf("KIND_%d", int32(k))
}

// Event is one stored change, as WatchEvents delivers it.
type Event struct {
	// Sequence numbers a store's events from 1, strictly increasing, without gaps.
	Sequence uint64
	Kind     EventKind
	TeamID   string
	// Version is the team's version after the change.
	Version uint64
	// TeamName is the new name, for EventTeamCreated and EventTeamRenamed.
	TeamName string
	// Player is the player added or removed, for EventPlayerAdded and EventPlayerRemoved.
	Player     Player
	OccurredAt time.Time
}

// SearchQuery is a SearchTeams request.
type SearchQuery struct {
	// Term is a case-insensitive substring of the names sought; empty finds every team.
	Term string
	// PageSize is at most 500 teams; 0 means 50.
	PageSize uint32
	// PageToken is a previous page's NextPageToken; empty for the first page.
	PageToken string
}

// SearchPage is one page of SearchTeams results, sorted by lower-cased name, then id.
type SearchPage struct {
	Teams []Team
	// NextPageToken continues the search in SearchQuery.PageToken; empty on the last page.
	NextPageToken string
}

// Health is a server's answer to Check.
type Health struct {
	Serving bool
	// Store is the kind of store the server runs on: "memory", "sqlite" or "dynamodb".
	Store string
}

// MethodInfo describes one method a server implements, as ListMethods returns it.
type MethodInfo struct {
	// Name is the full name, e.g. "/teams.v1.TeamService/GetTeam".
	Name            string
	ServerStreaming bool
}

func playerToProto(p Player) *teamsv1.Player {
	return &teamsv1.Player{Name: p.Name, Position: teamsv1.Position(p.Position)}
}

func playerFromProto(p *teamsv1.Player) Player {
	if p == nil {
		return Player{}
	}
	return Player{Name: p.Name, Position: Position(p.Position)}
}

func teamFromProto(t *teamsv1.Team) Team {
	team := Team{ID: t.Id, Name: t.Name, Version: t.Version, Players: make([]Player, len(t.Players))}
	for i, p := range t.Players {
		team.Players[i] = playerFromProto(p)
	}
	return team
}

func eventFromProto(e *teamsv1.TeamEvent) Event {
	return Event{
		Sequence:   e.Sequence,
		Kind:       EventKind(e.Kind),
		TeamID:     e.TeamId,
		Version:    e.Version,
		TeamName:   e.TeamName,
		Player:     playerFromProto(e.Player),
		OccurredAt: time.UnixMilli(e.OccurredAtMs),
	}
}
