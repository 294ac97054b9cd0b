# Sourced by build.sh, generate.sh and test.sh: Go in GOPATH mode, offline, from
# the Debian packages (golang-go, golang-google-protobuf-dev). No network, no go.mod.
#
# Everything written lives under clients/go/.build-go (ignored by git):
#   src/teamservice/clients/go   a symlink to clients/go, so its packages import as
#                                teamservice/clients/go/{teams,teamsv1,rpcv1,...}
#   bin/                         protoc-gen-go and teams-conformance
#   cache/                       Go's build cache

GO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GO_OUT="$GO_DIR/.build-go"
GO_BIN="$GO_OUT/bin"
GO_IMPORT=teamservice/clients/go

export GO111MODULE=off
export GOPATH="$GO_OUT:/usr/share/gocode"
export GOCACHE="$GO_OUT/cache"
export GOFLAGS=
export GOPROXY=off

mkdir -p "$GO_OUT/src/teamservice/clients" "$GO_BIN" "$GOCACHE"
ln -sfn "$GO_DIR" "$GO_OUT/src/$GO_IMPORT"

# The packages of this client, for go build, vet and test.
GO_PACKAGES=("$GO_IMPORT/rpcv1" "$GO_IMPORT/teamsv1" "$GO_IMPORT/teams" "$GO_IMPORT/cmd/teams-conformance")
