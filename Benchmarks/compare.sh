#!/usr/bin/env bash
# `make bench-compare`: builds the three servers (teams-server, the grpc-swift-2 baseline in
# Benchmarks/, the grpc-go baseline in Benchmarks/grpc-go/) and teams-loadgen, the C driver
# of teams-server (Benchmarks/loadgen/), and runs Benchmarks/compare.py,
# which measures them side by side on both stores. Options go to compare.py:
#
#   Benchmarks/compare.sh --rounds 5 --duration 20 --shapes 4x16,64x1
#   Benchmarks/compare.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in h2load go protoc protoc-gen-go-grpc python3 cc; do
  command -v "$tool" >/dev/null || { echo "compare: $tool is missing: run make bench-compare, which installs it" >&2; exit 1; }
done
echo "compare: building teams-server and teams (release)" >&2
swift build -c release --product teams-server >/dev/null
swift build -c release --product teams >/dev/null
echo "compare: building grpc-teams-server (grpc-swift-2, release; the first build takes many minutes)" >&2
swift build -c release --package-path Benchmarks --product grpc-teams-server >/dev/null
echo "compare: building teams-loadgen (C)" >&2
mkdir -p Benchmarks/.build-loadgen
cc -O2 -o Benchmarks/.build-loadgen/teams-loadgen Benchmarks/loadgen/teams-loadgen.c
echo "compare: building grpc-teams-server-go" >&2
Benchmarks/grpc-go/build.sh >/dev/null
exec python3 Benchmarks/compare.py "$@"
