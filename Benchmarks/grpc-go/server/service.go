package main

// teams.v1.TeamService and teams.v1.Health. Each method checks its input in the
// order TeamServiceHandler and TeamInteractor do (a request's position first, then
// names, then the id), then asks the store.

import (
	"context"
	"strings"
	"unicode"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "teamsbench/teamsv1"
)

var errIDTaken = &teamError{code: codes.AlreadyExists, message: "a team with this id exists already"}

type teamService struct {
	pb.UnimplementedTeamServiceServer
	store store
	ids   *idGenerator
}

// rpcError turns a use-case failure into its status.
func rpcError(err error) error {
	if err == nil {
		return nil
	}
	if te, ok := err.(*teamError); ok {
		return status.Error(te.code, te.message)
	}
	return status.Error(codes.Internal, err.Error())
}

func (s *teamService) CreateTeam(ctx context.Context, req *pb.CreateTeamRequest) (*pb.CreateTeamResponse, error) {
	name, err := validName(req.GetName(), "team name")
	if err != nil {
		return nil, rpcError(err)
	}
	key := req.GetIdempotencyKey()
	if len(key) > maxIdempotencyKeyBytes {
		return nil, rpcError(fail(codes.InvalidArgument, "idempotency key must be at most %d bytes", maxIdempotencyKeyBytes))
	}
	t, err := s.store.create(ctx, newTeam(s.ids.next(), name), key)
	if err != nil {
		return nil, rpcError(err)
	}
	return &pb.CreateTeamResponse{Team: t.message()}, nil
}

func (s *teamService) GetTeam(ctx context.Context, req *pb.GetTeamRequest) (*pb.GetTeamResponse, error) {
	id, err := parseID(req.GetId())
	if err != nil {
		return nil, rpcError(err)
	}
	t, err := s.store.get(ctx, id)
	if err != nil {
		return nil, rpcError(err)
	}
	if t == nil {
		return nil, rpcError(noTeam(id))
	}
	return &pb.GetTeamResponse{Team: t.message()}, nil
}

func (s *teamService) RenameTeam(ctx context.Context, req *pb.RenameTeamRequest) (*pb.RenameTeamResponse, error) {
	name, err := validName(req.GetName(), "team name")
	if err != nil {
		return nil, rpcError(err)
	}
	id, err := parseID(req.GetId())
	if err != nil {
		return nil, rpcError(err)
	}
	t, err := s.store.modify(ctx, id, req.GetExpectedVersion(), func(t *team) error {
		t.name = name
		t.nameKey = strings.ToLower(name)
		return nil
	})
	if err != nil {
		return nil, rpcError(err)
	}
	return &pb.RenameTeamResponse{Team: t.message()}, nil
}

func (s *teamService) DeleteTeam(ctx context.Context, req *pb.DeleteTeamRequest) (*pb.DeleteTeamResponse, error) {
	id, err := parseID(req.GetId())
	if err != nil {
		return nil, rpcError(err)
	}
	if err := s.store.delete(ctx, id, req.GetExpectedVersion()); err != nil {
		return nil, rpcError(err)
	}
	return &pb.DeleteTeamResponse{}, nil
}

func (s *teamService) AddPlayer(ctx context.Context, req *pb.AddPlayerRequest) (*pb.AddPlayerResponse, error) {
	position, err := checkPosition(req.GetPlayer())
	if err != nil {
		return nil, rpcError(err)
	}
	name, err := validName(req.GetPlayer().GetName(), "player name")
	if err != nil {
		return nil, rpcError(err)
	}
	id, err := parseID(req.GetTeamId())
	if err != nil {
		return nil, rpcError(err)
	}
	p := player{name: name, position: position}
	t, err := s.store.modify(ctx, id, req.GetExpectedVersion(), func(t *team) error {
		if err := checkCanAdd(p, t); err != nil {
			return err
		}
		t.players = append(t.players, p)
		return nil
	})
	if err != nil {
		return nil, rpcError(err)
	}
	return &pb.AddPlayerResponse{Team: t.message()}, nil
}

// RemovePlayer removes the player whose name (ignoring case) and position both match.
func (s *teamService) RemovePlayer(ctx context.Context, req *pb.RemovePlayerRequest) (*pb.RemovePlayerResponse, error) {
	position, err := checkPosition(req.GetPlayer())
	if err != nil {
		return nil, rpcError(err)
	}
	name, err := validName(req.GetPlayer().GetName(), "player name")
	if err != nil {
		return nil, rpcError(err)
	}
	id, err := parseID(req.GetTeamId())
	if err != nil {
		return nil, rpcError(err)
	}
	key := strings.ToLower(name)
	t, err := s.store.modify(ctx, id, req.GetExpectedVersion(), func(t *team) error {
		for i, q := range t.players {
			if q.position == position && strings.ToLower(q.name) == key {
				t.players = append(t.players[:i], t.players[i+1:]...)
				return nil
			}
		}
		return fail(codes.NotFound, "team %s has no %s named \"%s\"", t.id, positionCodes[position], name)
	})
	if err != nil {
		return nil, rpcError(err)
	}
	return &pb.RemovePlayerResponse{Team: t.message()}, nil
}

// SearchTeams: teams whose name contains the term (ignoring case), by name then id.
func (s *teamService) SearchTeams(ctx context.Context, req *pb.SearchTeamsRequest) (*pb.SearchTeamsResponse, error) {
	size := req.GetPageSize()
	if size > maxPageSize {
		return nil, rpcError(fail(codes.InvalidArgument, "page size must be between 1 and %d, got %d", maxPageSize, size))
	}
	limit := int(size)
	if limit == 0 {
		limit = defaultPageSize
	}
	var after *cursor
	if token := req.GetPageToken(); token != "" {
		c, ok := parseToken(token)
		if !ok {
			return nil, rpcError(fail(codes.InvalidArgument, "page token \"%s\" was not issued by this service", prefix(token, 64)))
		}
		after = c
	}
	term := strings.ToLower(strings.TrimFunc(req.GetTerm(), unicode.IsSpace))
	matches, err := s.store.search(ctx, term, limit, after)
	if err != nil {
		return nil, rpcError(err)
	}
	page, next := cutPage(matches, limit)
	teams := make([]*pb.Team, len(page))
	for i, t := range page {
		teams[i] = t.message()
	}
	return &pb.SearchTeamsResponse{Teams: teams, NextPageToken: next}, nil
}

func (s *teamService) WatchEvents(*pb.WatchEventsRequest, pb.TeamService_WatchEventsServer) error {
	return status.Error(codes.Unimplemented, "WatchEvents is not served by the grpc-go baseline")
}

type healthService struct {
	pb.UnimplementedHealthServer
	store string
}

func (h *healthService) Check(context.Context, *pb.CheckRequest) (*pb.CheckResponse, error) {
	return &pb.CheckResponse{Status: pb.CheckResponse_SERVING_STATUS_SERVING, Store: h.store}, nil
}

func (h *healthService) ListMethods(context.Context, *pb.ListMethodsRequest) (*pb.ListMethodsResponse, error) {
	var methods []*pb.ListMethodsResponse_Method
	for _, service := range []struct {
		name    string
		methods []string
	}{
		{"teams.v1.TeamService", []string{"CreateTeam", "GetTeam", "RenameTeam", "DeleteTeam", "AddPlayer", "RemovePlayer", "SearchTeams"}},
		{"teams.v1.Health", []string{"Check", "ListMethods"}},
	} {
		for _, m := range service.methods {
			methods = append(methods, &pb.ListMethodsResponse_Method{Name: "/" + service.name + "/" + m})
		}
	}
	return &pb.ListMethodsResponse{Methods: methods}, nil
}
