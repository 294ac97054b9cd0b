#!/usr/bin/env bash
# Measures TeamService's own protocol against gRPC (grpc-swift-2) in one run:
# the same TeamInteractor, in-memory store and protoc-c codec behind both, so the
# difference is the RPC layer. Prints a side-by-side table and the ratios.
#
#   Benchmarks/compare.sh                      # defaults below
#   DURATION=20s CONNECTIONS=4 IN_FLIGHT=16 Benchmarks/compare.sh
#
# Server CPU per call is the server process's user+sys time (/proc/PID/stat)
# over the measured window divided by the calls served. Wire bytes per call are
# the client's: request bytes sent plus response bytes received (counted by our
# client; from /proc/self/io for the gRPC driver), over the same window.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNECTIONS=${CONNECTIONS:-4}
IN_FLIGHT=${IN_FLIGHT:-16}
SERVER_THREADS=${SERVER_THREADS:-1}
MIXES=${MIXES:-"get=100 get=90,add-player=5,create=5"}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT"

echo "compare: building (release)" >&2
swift build -c release >/dev/null
swift build -c release --package-path Benchmarks >/dev/null
bin=.build/release
gbin=Benchmarks/.build/release

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 100); do python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null && return 0; sleep 0.1; done; echo "compare: server on $1 did not start" >&2; return 1; }

run_one() {  # name mix server-command... ; prints the JSON file path
  local name=$1 mix=$2; shift 2
  local port; port=$(free_port)
  "$@" --port "$port" >/dev/null 2>&1 &
  local pid=$!
  wait_port "$port"
  local out="$OUT/$name-${mix//[=,]/_}.json"
  local driver=("$bin/teams" bench --server "127.0.0.1:$port")
  [ "$name" = grpc ] && driver=("$gbin/grpc-teams-bench" --target "127.0.0.1:$port")
  "${driver[@]}" --connections "$CONNECTIONS" --in-flight "$IN_FLIGHT" --duration "$DURATION" --warmup "$WARMUP" \
    --mix "$mix" --server-pid "$pid" --json >"$out" 2>"$OUT/$name.log" || { cat "$OUT/$name.log" >&2; kill $pid; return 1; }
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "$out"
}

results=()
for mix in $MIXES; do
  echo "compare: $mix on teams-server" >&2
  results+=("$(run_one teams "$mix" "$bin/teams-server" --store memory --log-level error --threads "$SERVER_THREADS")")
  echo "compare: $mix on grpc-teams-server" >&2
  results+=("$(run_one grpc "$mix" "$gbin/grpc-teams-server" --threads "$SERVER_THREADS")")
done

python3 - "$(nproc)" "${results[@]}" <<'PY'
import json, sys
cores, files = sys.argv[1], sys.argv[2:]
rows = [json.load(open(f)) for f in files]
print(f"machine: {cores} cores; {rows[0]['connections']} connections x {rows[0].get('in_flight')} in flight; server threads as set by SERVER_THREADS")
head = f"{'mix':32} {'server':6} {'calls/s':>10} {'p50 us':>8} {'p99 us':>8} {'bytes/call':>10} {'srv cpu us':>10} {'cli cpu us':>10} {'errors':>7}"
print(head); print("-" * len(head))
def g(r, k): return r.get(k) if r.get(k) is not None else float('nan')
for r in rows:
    print(f"{r['mix']:32} {r['target']:6} {r['throughput_per_s']:10.0f} {r['latency_us']['p50']:8.0f} {r['latency_us']['p99']:8.0f} "
          f"{g(r,'bytes_sent_per_call') + g(r,'bytes_received_per_call'):10.1f} {g(r,'server_cpu_us_per_call'):10.2f} {g(r,'client_cpu_us_per_call'):10.2f} {sum(r['errors'].values()):7d}")
print()
for ours, grpc in zip(rows[0::2], rows[1::2]):
    t = ours['throughput_per_s'] / grpc['throughput_per_s']
    p99 = grpc['latency_us']['p99'] / max(1, ours['latency_us']['p99'])
    b = (g(grpc, 'bytes_sent_per_call') + g(grpc, 'bytes_received_per_call')) / (g(ours, 'bytes_sent_per_call') + g(ours, 'bytes_received_per_call'))
    c = g(grpc, 'server_cpu_us_per_call') / g(ours, 'server_cpu_us_per_call')
    print(f"{ours['mix']:32} throughput x{t:.1f}   p99 x{p99:.1f} lower   bytes x{b:.1f} fewer   server cpu x{c:.1f} less")
    if ours.get('framing_bytes_per_call') is not None and grpc.get('framing_bytes_per_call') is not None:
        print(f"{'':32} framing bytes per call: ours {ours['framing_bytes_per_call']:.1f}, gRPC {grpc['framing_bytes_per_call']:.1f}")
PY
