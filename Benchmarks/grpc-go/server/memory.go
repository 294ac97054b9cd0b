package main

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"
)

// store is where teams live. Each change to a team is a read-modify-write under
// the store's write lock (memory) or in a transaction on its single writer
// connection (SQLite), so writers never race and nothing needs retrying.
type store interface {
	get(ctx context.Context, id string) (*team, error) // nil, nil when there is none
	// create stores t (version 1). With an idempotency key seen within 24 hours it
	// stores nothing and returns the team the first call created (as it is now, or
	// as created when it was since deleted).
	create(ctx context.Context, t *team, key string) (*team, error)
	// modify applies change to a copy of the team and stores it with version + 1.
	// expected 0 means any version.
	modify(ctx context.Context, id string, expected uint64, change func(*team) error) (*team, error)
	delete(ctx context.Context, id string, expected uint64) error
	// search: up to limit+1 teams whose name key contains term, in (name key, id)
	// order, after the cursor when there is one.
	search(ctx context.Context, term string, limit int, after *cursor) ([]*team, error)
	describe() string
	close() error
}

type idempotent struct {
	created *team
	at      time.Time
}

// memoryStore keeps teams in a map behind one RWMutex. Stored *team values are
// never changed in place, so readers may use them after unlocking.
//
// Search scans every team and sorts the matches: simple, O(n log n) per call.
// The Swift InMemoryTeamRepository keeps a sorted index and walks it from the
// cursor instead.
type memoryStore struct {
	mu          sync.RWMutex
	teams       map[string]*team
	idempotency map[string]idempotent
}

func newMemoryStore() *memoryStore {
	return &memoryStore{teams: map[string]*team{}, idempotency: map[string]idempotent{}}
}

func (s *memoryStore) describe() string { return "memory" }
func (s *memoryStore) close() error     { return nil }

func (s *memoryStore) get(_ context.Context, id string) (*team, error) {
	s.mu.RLock()
	t := s.teams[id]
	s.mu.RUnlock()
	return t, nil
}

func (s *memoryStore) create(_ context.Context, t *team, key string) (*team, error) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if key != "" {
		if earlier, ok := s.idempotency[key]; ok && now.Sub(earlier.at) < idempotencyWindow {
			if current := s.teams[earlier.created.id]; current != nil {
				return current, nil
			}
			return earlier.created, nil
		}
	}
	if s.teams[t.id] != nil {
		return nil, errIDTaken
	}
	s.teams[t.id] = t
	if key != "" {
		s.idempotency[key] = idempotent{created: t, at: now}
	}
	return t, nil
}

func (s *memoryStore) modify(_ context.Context, id string, expected uint64, change func(*team) error) (*team, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	current := s.teams[id]
	if current == nil {
		return nil, noTeam(id)
	}
	if expected != 0 && expected != current.version {
		return nil, versionMismatch(expected, current.version)
	}
	next := current.clone()
	if err := change(next); err != nil {
		return nil, err
	}
	next.version++
	s.teams[id] = next
	return next, nil
}

func (s *memoryStore) delete(_ context.Context, id string, expected uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	current := s.teams[id]
	if current == nil {
		return noTeam(id)
	}
	if expected != 0 && expected != current.version {
		return versionMismatch(expected, current.version)
	}
	delete(s.teams, id)
	return nil
}

func (s *memoryStore) search(_ context.Context, term string, limit int, after *cursor) ([]*team, error) {
	var matches []*team
	s.mu.RLock()
	for _, t := range s.teams {
		if (after == nil || after.precedes(t)) && strings.Contains(t.nameKey, term) {
			matches = append(matches, t)
		}
	}
	s.mu.RUnlock()
	sort.Slice(matches, func(i, j int) bool {
		a, b := matches[i], matches[j]
		return a.nameKey < b.nameKey || (a.nameKey == b.nameKey && a.id < b.id)
	})
	if len(matches) > limit+1 {
		matches = matches[:limit+1]
	}
	return matches, nil
}
