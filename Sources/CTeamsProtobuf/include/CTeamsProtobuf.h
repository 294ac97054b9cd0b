#ifndef CTEAMS_PROTOBUF_H
#define CTEAMS_PROTOBUF_H

/* The protoc-c output for proto/ (see scripts/generate-proto) and the arena allocator. */
#include <protobuf-c/protobuf-c.h>
#include "generated/teams/v1/teams.pb-c.h"
#include "generated/teams/v1/health.pb-c.h"
#include "generated/teams/rpc/v1/metadata.pb-c.h"
#include "generated/descriptors.h"
#include "teams_arena.h"

#endif
