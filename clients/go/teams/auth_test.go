package teams

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeTokensFile writes a --auth-tokens file naming each caller "NAME ROLE" with
// its token, and returns its path.
func writeTokensFile(t *testing.T, tokens map[string]string) string {
	t.Helper()
	var lines strings.Builder
	for caller, token := range tokens {
		sum := sha256.Sum256([]byte(token))
		fmt.Fprintf(&lines, "%s %s\n", caller, hex.EncodeToString(sum[:]))
	}
	path := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(path, []byte(lines.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestAuth(t *testing.T) {
	tokens := writeTokensFile(t, map[string]string{"writer-1 writer": "writer-secret", "reader-1 reader": "reader-secret"})
	server := startServer(t, "--store", "memory", "--auth-tokens", tokens)
	ctx := testContext(t, 20*time.Second)
	endpoints := []string{server.addr}

	anonymous := newTestClient(t, Options{Endpoints: endpoints})
	_, err := anonymous.CreateTeam(ctx, "Anonymous")
	wantCode(t, err, Unauthenticated)
	if _, err := anonymous.Check(ctx); err != nil {
		t.Fatalf("Check needs no credentials: %v", err)
	}

	reader := newTestClient(t, Options{Endpoints: endpoints, Token: "reader-secret"})
	_, err = reader.CreateTeam(ctx, "Reader")
	wantCode(t, err, PermissionDenied)
	_, err = reader.GetTeam(ctx, "00000000000000000000")
	wantCode(t, err, NotFound)

	writer := newTestClient(t, Options{Endpoints: endpoints, Token: "writer-secret"})
	if _, err := writer.CreateTeam(ctx, "Writer"); err != nil {
		t.Fatal(err)
	}

	// The server refuses the connection (GOAWAY UNAUTHENTICATED); the client keeps
	// trying with backoff and reports why once the call's deadline passes.
	stranger := newTestClient(t, Options{Endpoints: endpoints, Token: "who-am-i"})
	_, err = stranger.CreateTeam(testContext(t, 2*time.Second), "Stranger")
	wantCode(t, err, Unauthenticated)
	if !strings.Contains(err.Error(), "token") {
		t.Fatalf("%v does not name the token", err)
	}

	if _, err := New(Options{Endpoints: endpoints, Token: strings.Repeat("x", 1025)}); err == nil {
		t.Fatal("a token over 1024 bytes was accepted")
	}
}
