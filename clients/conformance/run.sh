#!/usr/bin/env bash
# Runs the client conformance scenarios (README.md) with every RUNNER against
# servers it starts and stops: one PASS/FAIL line per runner and scenario, exit
# status non-zero if any failed.
# Usage: clients/conformance/run.sh SERVER_BINARY RUNNER...
# e.g.   clients/conformance/run.sh .build/release/teams-server "python3 -m teams_client.conformance"
set -euo pipefail
if [ "$#" -lt 2 ]; then
  echo "usage: $0 SERVER_BINARY RUNNER..." >&2
  exit 2
fi
exec python3 "$(cd "$(dirname "$0")" && pwd)/harness.py" "$@"
