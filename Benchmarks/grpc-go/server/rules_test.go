package main

import (
	"strings"
	"testing"
)

func TestEncodeIDMatchesRsXid(t *testing.T) {
	// The example in github.com/rs/xid's README.
	got := encodeID([12]byte{0x4d, 0x88, 0xe1, 0x5b, 0x60, 0xf4, 0x86, 0xe4, 0x28, 0x41, 0x2d, 0xc9})
	if got != "9m4e2mr0ui3e8a215n4g" {
		t.Fatalf("got %s", got)
	}
	if !validID(got) || validID("9m4e2mr0ui3e8a215n4h") || validID("9M4E2MR0UI3E8A215N4G") || validID("9m4e2mr0ui3e8a215n4") {
		t.Fatal("validID")
	}
	g := newIDGenerator()
	a, b := g.next(), g.next()
	if !validID(a) || !validID(b) || a == b {
		t.Fatalf("generated %s, %s", a, b)
	}
}

func TestCursorTokenRoundTrip(t *testing.T) {
	c := cursor{nameKey: "zürich fc", id: "9m4e2mr0ui3e8a215n4g"}
	back, ok := parseToken(c.token())
	if !ok || *back != c {
		t.Fatalf("got %v, %v", back, ok)
	}
	for _, bad := range []string{"zz", "abc", "00", c.token()[:38]} {
		if _, ok := parseToken(bad); ok {
			t.Fatalf("accepted %q", bad)
		}
	}
}

func TestNames(t *testing.T) {
	if name, err := validName(" \t Ajax \n", "team name"); err != nil || name != "Ajax" {
		t.Fatalf("got %q, %v", name, err)
	}
	if _, err := validName(strings.Repeat("é", 100), "player name"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("é", 101)} {
		if _, err := validName(bad, "team name"); err == nil {
			t.Fatalf("accepted %q", bad)
		}
	}
}
