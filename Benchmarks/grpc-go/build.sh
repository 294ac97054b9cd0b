#!/usr/bin/env bash
# Builds the grpc-go baseline offline, in GOPATH mode, from the Debian Go packages
# (golang-go, golang-google-grpc-dev, golang-google-protobuf-dev,
# golang-github-golang-protobuf-1-5-dev, protoc-gen-go-grpc,
# golang-github-mattn-go-sqlite3-dev, protobuf-compiler). No network, no go.mod.
#
#   Benchmarks/grpc-go/build.sh
#
# Everything it writes lives under Benchmarks/.build-go (gitignored):
#   bin/grpc-teams-server-go, bin/grpc-teams-seed-go   the binaries
#   bin/protoc-gen-go                                   built from the Debian sources
#   src/teamsbench/teamsv1/*.pb.go                      generated from proto/teams/v1
#   src/teamsbench/{server,client,cli}                  symlinks to Benchmarks/grpc-go
#   cache/                                              Go's build cache (fast re-runs)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$REPO/Benchmarks/.build-go"
SRC="$OUT/src/teamsbench"
BIN="$OUT/bin"

export GO111MODULE=off
export GOPATH="$OUT:/usr/share/gocode"
export GOCACHE="$OUT/cache"
export GOFLAGS=
export GOPROXY=off
export CGO_ENABLED=1

mkdir -p "$SRC/teamsv1" "$BIN" "$GOCACHE"

# protoc-gen-go is not packaged as a binary; golang-google-protobuf-dev ships its source.
go build -o "$BIN/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go

# Generate into a scratch folder and replace only what changed.
PROTOS=(teams/v1/teams.proto teams/v1/health.proto)
GEN=$(mktemp -d)
trap 'rm -rf "$GEN"' EXIT
maps=()
for proto in "${PROTOS[@]}"; do maps+=("M$proto=teamsbench/teamsv1;teamsv1"); done
go_opt=$(IFS=,; echo "${maps[*]}")
protoc -I "$REPO/proto" \
  --plugin=protoc-gen-go="$BIN/protoc-gen-go" \
  --plugin=protoc-gen-go-grpc=/usr/bin/protoc-gen-go-grpc \
  --go_out="$GEN" --go_opt="$go_opt" \
  --go-grpc_out="$GEN" --go-grpc_opt="$go_opt" \
  "${PROTOS[@]}"
for file in "$GEN"/teamsbench/teamsv1/*.go; do
  target="$SRC/teamsv1/$(basename "$file")"
  cmp -s "$file" "$target" || cp "$file" "$target"
done

ln -sfn "$REPO/Benchmarks/grpc-go/server" "$SRC/server"
ln -sfn "$REPO/Benchmarks/grpc-go/client" "$SRC/client"
ln -sfn "$REPO/Benchmarks/grpc-go/cli" "$SRC/cli"

go build -o "$BIN/grpc-teams-server-go" teamsbench/server
go build -o "$BIN/grpc-teams-seed-go" teamsbench/client

echo "built $BIN/grpc-teams-server-go and $BIN/grpc-teams-seed-go"
