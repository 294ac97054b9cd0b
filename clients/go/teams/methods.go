package teams

import (
	"context"

	"teamservice/clients/go/teamsv1"
)

// The typed methods below each make one call. They take the call's deadline from
// ctx (Options.DefaultTimeout when it has none), send it in the request, and stop
// waiting when ctx ends, cancelling the call on the server. Every error is an
// *Error; see docs/PROTOCOL.md ("Methods") for what each status means.
//
// A mutation takes an expectedVersion: 0 makes the change whatever the team's
// version, any other value fails with ABORTED unless it is the team's version.
// Mutations whose outcome is unknown (the connection was lost after the request
// was written) are not retried: they fail UNAVAILABLE, and the caller decides.

// CreateTeam creates a team named name, with no players, at version 1. With
// WithIdempotencyKey, a retry with the same key returns the same team.
func (c *Client) CreateTeam(ctx context.Context, name string, opts ...CallOption) (Team, error) {
	o := collectOptions(opts)
	var response teamsv1.CreateTeamResponse
	err := c.unary(ctx, methodCreateTeam, &teamsv1.CreateTeamRequest{Name: name, IdempotencyKey: o.idempotencyKey}, &response, o, name, o.idempotencyKey)
	return teamOf(response.Team, err)
}

// GetTeam returns the team with id; NOT_FOUND when there is none.
func (c *Client) GetTeam(ctx context.Context, id string, opts ...CallOption) (Team, error) {
	var response teamsv1.GetTeamResponse
	err := c.unary(ctx, methodGetTeam, &teamsv1.GetTeamRequest{Id: id}, &response, collectOptions(opts), id)
	return teamOf(response.Team, err)
}

// RenameTeam renames the team with id to name and returns it.
func (c *Client) RenameTeam(ctx context.Context, id, name string, expectedVersion uint64, opts ...CallOption) (Team, error) {
	var response teamsv1.RenameTeamResponse
	request := &teamsv1.RenameTeamRequest{Id: id, Name: name, ExpectedVersion: expectedVersion}
	err := c.unary(ctx, methodRenameTeam, request, &response, collectOptions(opts), id, name)
	return teamOf(response.Team, err)
}

// DeleteTeam deletes the team with id.
func (c *Client) DeleteTeam(ctx context.Context, id string, expectedVersion uint64, opts ...CallOption) error {
	var response teamsv1.DeleteTeamResponse
	request := &teamsv1.DeleteTeamRequest{Id: id, ExpectedVersion: expectedVersion}
	return c.unary(ctx, methodDeleteTeam, request, &response, collectOptions(opts), id)
}

// AddPlayer adds player to the team with teamID and returns the team: ALREADY_EXISTS
// when the name (ignoring case) is taken, FAILED_PRECONDITION when the squad
// already holds 100 players.
func (c *Client) AddPlayer(ctx context.Context, teamID string, player Player, expectedVersion uint64, opts ...CallOption) (Team, error) {
	var response teamsv1.AddPlayerResponse
	request := &teamsv1.AddPlayerRequest{TeamId: teamID, Player: playerToProto(player), ExpectedVersion: expectedVersion}
	err := c.unary(ctx, methodAddPlayer, request, &response, collectOptions(opts), teamID, player.Name)
	return teamOf(response.Team, err)
}

// RemovePlayer removes the player whose name (ignoring case) and position match
// player, and returns the team; NOT_FOUND when none does.
func (c *Client) RemovePlayer(ctx context.Context, teamID string, player Player, expectedVersion uint64, opts ...CallOption) (Team, error) {
	var response teamsv1.RemovePlayerResponse
	request := &teamsv1.RemovePlayerRequest{TeamId: teamID, Player: playerToProto(player), ExpectedVersion: expectedVersion}
	err := c.unary(ctx, methodRemovePlayer, request, &response, collectOptions(opts), teamID, player.Name)
	return teamOf(response.Team, err)
}

// SearchTeams returns one page of the teams whose names hold query.Term.
func (c *Client) SearchTeams(ctx context.Context, query SearchQuery, opts ...CallOption) (SearchPage, error) {
	var response teamsv1.SearchTeamsResponse
	request := &teamsv1.SearchTeamsRequest{Term: query.Term, PageSize: query.PageSize, PageToken: query.PageToken}
	if err := c.unary(ctx, methodSearchTeams, request, &response, collectOptions(opts), query.Term, query.PageToken); err != nil {
		return SearchPage{}, err
	}
	page := SearchPage{Teams: make([]Team, len(response.Teams)), NextPageToken: response.NextPageToken}
	for i, team := range response.Teams {
		page.Teams[i] = teamFromProto(team)
	}
	return page, nil
}

// Check asks whether the server is serving; it needs no credentials.
func (c *Client) Check(ctx context.Context, opts ...CallOption) (Health, error) {
	var response teamsv1.CheckResponse
	if err := c.unary(ctx, methodCheck, &teamsv1.CheckRequest{}, &response, collectOptions(opts)); err != nil {
		return Health{}, err
	}
	return Health{Serving: response.Status == teamsv1.CheckResponse_SERVING_STATUS_SERVING, Store: response.Store}, nil
}

// ListMethods returns the methods the server implements.
func (c *Client) ListMethods(ctx context.Context, opts ...CallOption) ([]MethodInfo, error) {
	var response teamsv1.ListMethodsResponse
	if err := c.unary(ctx, methodListMethods, &teamsv1.ListMethodsRequest{}, &response, collectOptions(opts)); err != nil {
		return nil, err
	}
	methods := make([]MethodInfo, len(response.Methods))
	for i, m := range response.Methods {
		methods[i] = MethodInfo{Name: m.Name, ServerStreaming: m.ServerStreaming}
	}
	return methods, nil
}

// teamOf returns the team of a successful response, or err.
func teamOf(team *teamsv1.Team, err error) (Team, error) {
	if err != nil {
		return Team{}, err
	}
	if team == nil {
		return Team{}, newError(Internal, "the response holds no team")
	}
	return teamFromProto(team), nil
}
