#!/usr/bin/env bash
# Builds the Go client offline, in GOPATH mode, from the Debian Go packages
# (golang-go, golang-google-protobuf-dev); see env.sh. Checks formatting and
# vets every package, then builds the conformance runner:
#
#   clients/go/build.sh        → clients/go/.build-go/bin/teams-conformance
#
# The generated protobuf code in teamsv1/ and rpcv1/ is committed; generate.sh
# remakes it.
set -euo pipefail
source "$(dirname "$0")/env.sh"

unformatted=$(cd "$GO_DIR" && gofmt -l teams teamsv1 rpcv1 cmd)
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go build "${GO_PACKAGES[@]}"
go vet "${GO_PACKAGES[@]}"
go build -o "$GO_BIN/teams-conformance" "$GO_IMPORT/cmd/teams-conformance"
echo "built $GO_BIN/teams-conformance"
