#!/usr/bin/env bash
# Runs the Python client written from docs/PROTOCOL.md against a fresh server
# (and, for the tests of limits and shutdown, servers of their own), then the C
# load generator, also written from it, for a second of pipelined GetTeam calls.
# Usage: Tests/ProtocolClient/run.sh PATH/TO/teams-server
set -euo pipefail
server_binary=${1:?usage: run.sh PATH/TO/teams-server}
here=$(cd "$(dirname "$0")" && pwd)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
"$server_binary" --store memory --host 127.0.0.1 --port "$port" --log-level warning >"$log" 2>&1 &
pid=$!
loadgen=$(mktemp)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$log" "$loadgen"' EXIT
for _ in $(seq 1 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
  sleep 0.1
done
# TEAMS_SERVER_BINARY: the tests of limits and shutdown start servers of their own.
TEAMS_SERVER=127.0.0.1:$port TEAMS_SERVER_BINARY=$server_binary python3 "$here/test_protocol_doc.py" || { echo "server log:"; cat "$log"; exit 1; }
# It exits non-zero when any call fails or a frame does not parse.
compiler=$(command -v cc || command -v clang)
"$compiler" -O2 -o "$loadgen" "$here/../../Benchmarks/loadgen/teams-loadgen.c"
"$loadgen" --server "127.0.0.1:$port" --connections 2 --in-flight 8 --duration 1 --warmup 0 --server-pid "$pid" \
  || { echo "teams-loadgen failed; server log:"; cat "$log"; exit 1; }
