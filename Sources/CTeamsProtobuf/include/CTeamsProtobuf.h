#ifndef CTEAMS_PROTOBUF_H
#define CTEAMS_PROTOBUF_H

/* The protoc-c output for proto/teams/v1 (see scripts/generate-proto). The
 * protobuf-c runtime comes from CRPCProtobuf, so both modules share its types. */
#include "CRPCProtobuf.h"
#include "generated/teams/v1/teams.pb-c.h"
#include "generated/teams/v1/health.pb-c.h"
#include "generated/descriptors.h"

#endif
