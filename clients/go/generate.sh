#!/usr/bin/env bash
# Regenerates the Go protobuf code from proto/ into teamsv1/ and rpcv1/, offline.
# Deterministic: the same protoc (Debian's protobuf-compiler) and protoc-gen-go
# (built here from Debian's golang-google-protobuf-dev source) give the same bytes,
# so CI can run it and fail on `git diff --exit-code clients/go`.
#
#   clients/go/generate.sh
set -euo pipefail
source "$(dirname "$0")/env.sh"
REPO=$(cd "$GO_DIR/../.." && pwd)

go build -o "$GO_BIN/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go

# proto file → Go package; the .proto files carry no go_package option.
declare -A PACKAGES=(
  [teams/v1/teams.proto]=teamsv1
  [teams/v1/health.proto]=teamsv1
  [teams/rpc/v1/metadata.proto]=rpcv1
)
maps=("module=$GO_IMPORT")
for proto in $(printf '%s\n' "${!PACKAGES[@]}" | sort); do
  maps+=("M$proto=$GO_IMPORT/${PACKAGES[$proto]};${PACKAGES[$proto]}")
done
go_opt=$(IFS=,; echo "${maps[*]}")

GEN=$(mktemp -d)
trap 'rm -rf "$GEN"' EXIT
protoc -I "$REPO/proto" --plugin=protoc-gen-go="$GO_BIN/protoc-gen-go" \
  --go_out="$GEN" --go_opt="$go_opt" $(printf '%s\n' "${!PACKAGES[@]}" | sort)

# Replace each package's generated files, dropping any the protos no longer produce.
for package in $(printf '%s\n' "${PACKAGES[@]}" | sort -u); do
  mkdir -p "$GO_DIR/$package"
  rm -f "$GO_DIR/$package"/*.pb.go
  cp "$GEN/$package"/*.pb.go "$GO_DIR/$package/"
done
echo "generated $(cd "$GO_DIR" && ls teamsv1/*.pb.go rpcv1/*.pb.go | tr '\n' ' ')"
