#!/usr/bin/env bash
# Installs the package into a fresh virtual environment (pip install, as a user
# would) and runs its unittest suite with that environment's python against
# SERVER_BINARY: the tests start servers of their own on free ports.
# Usage: clients/python/test.sh PATH/TO/teams-server
set -euo pipefail
server_binary=${1:?usage: clients/python/test.sh PATH/TO/teams-server}
case $server_binary in
  */*) server_binary=$(cd "$(dirname "$server_binary")" && pwd)/$(basename "$server_binary") ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
venv=$(mktemp -d "${TMPDIR:-/tmp}/teams-client-venv.XXXXXX")
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$here"
# From tests/, so that teams_client is the installed package, not src/.
cd "$here/tests"
TEAMS_SERVER_BINARY=$server_binary "$venv/bin/python" -m unittest discover --start-directory . --top-level-directory . -v
