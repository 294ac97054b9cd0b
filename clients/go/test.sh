#!/usr/bin/env bash
# Builds the Go client (build.sh) and runs its tests, with the race detector,
# against SERVER_BINARY: the tests start their own teams-servers on 127.0.0.1.
#
#   clients/go/test.sh SERVER_BINARY
set -euo pipefail
if [ $# -ne 1 ] || [ ! -x "$1" ]; then
  echo "usage: $0 SERVER_BINARY (an executable teams-server)" >&2
  exit 64
fi
server=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
"$(dirname "$0")/build.sh"
source "$(dirname "$0")/env.sh"
TEAMS_SERVER_BINARY="$server" go test -race -count=1 -timeout 170s "${GO_PACKAGES[@]}"
