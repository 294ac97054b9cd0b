package main

// The domain rules of Sources/TeamsDomain (TeamRules, TeamID, SearchCursor,
// TeamInteractor's limits), as a Go service would write them.

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math/rand"
	"os"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"google.golang.org/grpc/codes"

	pb "teamsbench/teamsv1"
)

const (
	maxNameLength          = 100
	squadLimit             = 100
	defaultPageSize        = 50
	maxPageSize            = 500
	maxIdempotencyKeyBytes = 128
	idempotencyWindow      = 24 * time.Hour
	idLength               = 20
)

// teamError is a use-case failure: the status code it maps to, as
// Sources/TeamsService/TeamError+Status.swift maps TeamError, and a message for humans.
type teamError struct {
	code    codes.Code
	message string
}

func (e *teamError) Error() string { return e.message }

func fail(code codes.Code, format string, args ...interface{}) error {
	return &teamError{code: code, message: fmt.Sprintf(format, args...)}
}

func versionMismatch(expected, actual uint64) error {
	return fail(codes.Aborted, "expected version %d but the team is at version %d", expected, actual)
}

func noTeam(id string) error { return fail(codes.NotFound, "no team with id %s", id) }

// player is a squad member; names are unique within a team, ignoring case.
type player struct {
	name     string
	position pb.Position
}

// team is immutable once stored: a change makes a new value.
type team struct {
	id      string
	name    string
	nameKey string // the lower-cased name: what searches match and sort on
	players []player
	version uint64
}

func newTeam(id, name string) *team {
	return &team{id: id, name: name, nameKey: strings.ToLower(name), version: 1}
}

func (t *team) clone() *team {
	c := *t
	c.players = append(make([]player, 0, len(t.players)+1), t.players...)
	return &c
}

func (t *team) message() *pb.Team {
	players := make([]*pb.Player, len(t.players))
	for i, p := range t.players {
		players[i] = &pb.Player{Name: p.name, Position: p.position}
	}
	return &pb.Team{Id: t.id, Name: t.name, Players: players, Version: t.version}
}

// Position codes, as Position.rawValue in Swift.
var positionCodes = map[pb.Position]string{
	pb.Position_POSITION_GK: "GK", pb.Position_POSITION_DEF: "DEF",
	pb.Position_POSITION_MID: "MID", pb.Position_POSITION_ST: "ST",
}

func positionFromCode(code string) (pb.Position, bool) {
	switch code {
	case "GK":
		return pb.Position_POSITION_GK, true
	case "DEF":
		return pb.Position_POSITION_DEF, true
	case "MID":
		return pb.Position_POSITION_MID, true
	case "ST":
		return pb.Position_POSITION_ST, true
	}
	return 0, false
}

func checkPosition(p *pb.Player) (pb.Position, error) {
	position := p.GetPosition()
	if _, ok := positionCodes[position]; !ok {
		return 0, fail(codes.InvalidArgument, "position must be one of GK, DEF, MID, ST")
	}
	return position, nil
}

// validName trims surrounding whitespace and checks 1...maxNameLength characters.
// Swift counts grapheme clusters; this counts code points.
func validName(raw, field string) (string, error) {
	name := strings.TrimFunc(raw, unicode.IsSpace)
	if name == "" {
		return "", fail(codes.InvalidArgument, "%s must not be empty", field)
	}
	if n := utf8.RuneCountInString(name); n > maxNameLength {
		return "", fail(codes.InvalidArgument, "%s must be at most %d characters, got %d", field, maxNameLength, n)
	}
	return name, nil
}

// checkCanAdd: the squad has room and the name is free (ignoring case).
func checkCanAdd(p player, t *team) error {
	if len(t.players) >= squadLimit {
		return fail(codes.FailedPrecondition, "team %s already has %d players, the squad limit", t.id, squadLimit)
	}
	key := strings.ToLower(p.name)
	for _, q := range t.players {
		if strings.ToLower(q.name) == key {
			return fail(codes.AlreadyExists, "team %s already has a player named \"%s\"", t.id, p.name)
		}
	}
	return nil
}

// MARK: ids (the xid format: 12 bytes as 20 characters of base32hex, 0-9a-v)

const idAlphabet = "0123456789abcdefghijklmnopqrstuv"

func prefix(s string, n int) string {
	i := 0
	for at := range s {
		if i == n {
			return s[:at]
		}
		i++
	}
	return s
}

func parseID(raw string) (string, error) {
	if !validID(raw) {
		return "", fail(codes.InvalidArgument, "team id must be 20 characters of 0-9 and a-v (an xid), got \"%s\"", prefix(raw, 64))
	}
	return raw, nil
}

func validID(raw string) bool {
	if len(raw) != idLength {
		return false
	}
	var last byte
	for i := 0; i < idLength; i++ {
		c := raw[i]
		switch {
		case c >= '0' && c <= '9':
			last = c - '0'
		case c >= 'a' && c <= 'v':
			last = c - 'a' + 10
		default:
			return false
		}
	}
	return last&0xF == 0 // padding bits: would not encode back the same
}

func encodeID(b [12]byte) string {
	var out [idLength]byte
	var acc uint64
	var bits uint
	j := 0
	for _, x := range b {
		acc = acc<<8 | uint64(x)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out[j] = idAlphabet[(acc>>bits)&31]
			j++
		}
	}
	out[j] = idAlphabet[(acc<<(5-bits))&31] // 96 bits + 4 zero bits
	return string(out[:])
}

// idGenerator makes ids as rs/xid does: time, machine, process, counter (as
// TeamIDGenerator.forThisProcess: machine bytes are an FNV-1a hash of the host name).
type idGenerator struct {
	machine [3]byte
	pid     uint16
	counter uint32
}

func newIDGenerator() *idGenerator {
	host, _ := os.Hostname()
	h := fnv.New32a()
	h.Write([]byte(host))
	sum := h.Sum32()
	return &idGenerator{
		machine: [3]byte{byte(sum >> 16), byte(sum >> 8), byte(sum)},
		pid:     uint16(os.Getpid()),
		counter: uint32(rand.New(rand.NewSource(time.Now().UnixNano())).Intn(1 << 24)),
	}
}

func (g *idGenerator) next() string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], uint32(time.Now().Unix()))
	copy(b[4:7], g.machine[:])
	binary.BigEndian.PutUint16(b[7:9], g.pid)
	n := atomic.AddUint32(&g.counter, 1)
	b[9], b[10], b[11] = byte(n>>16), byte(n>>8), byte(n)
	return encodeID(b)
}

// MARK: search cursors (SearchCursor in Swift: hex of the id, then of the name key)

type cursor struct {
	nameKey string
	id      string
}

func (c *cursor) token() string {
	const digits = "0123456789abcdef"
	raw := c.id + c.nameKey
	out := make([]byte, 0, 2*len(raw))
	for i := 0; i < len(raw); i++ {
		out = append(out, digits[raw[i]>>4], digits[raw[i]&0xF])
	}
	return string(out)
}

func parseToken(token string) (*cursor, bool) {
	if len(token)%2 != 0 {
		return nil, false
	}
	raw := make([]byte, len(token)/2)
	for i := 0; i < len(token); i++ {
		c := token[i]
		var nibble byte
		switch {
		case c >= '0' && c <= '9':
			nibble = c - '0'
		case c >= 'a' && c <= 'f':
			nibble = c - 'a' + 10
		default:
			return nil, false
		}
		raw[i/2] = raw[i/2]<<4 | nibble
	}
	if len(raw) < idLength || !utf8.Valid(raw[idLength:]) {
		return nil, false
	}
	id := string(raw[:idLength])
	if !validID(id) {
		return nil, false
	}
	return &cursor{nameKey: string(raw[idLength:]), id: id}, true
}

// precedes: whether t sorts after the cursor in (name key, id) order.
func (c *cursor) precedes(t *team) bool {
	return t.nameKey > c.nameKey || (t.nameKey == c.nameKey && t.id > c.id)
}

// cutPage is TeamPage(cutting:limit:): the first limit teams of sorted and, when
// sorted holds more, the token of the last of them.
func cutPage(sorted []*team, limit int) ([]*team, string) {
	if len(sorted) <= limit {
		return sorted, ""
	}
	page := sorted[:limit]
	if limit == 0 {
		return page, ""
	}
	last := page[limit-1]
	return page, (&cursor{nameKey: last.nameKey, id: last.id}).token()
}
