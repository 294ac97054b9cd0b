#ifndef CRPC_PROTOBUF_H
#define CRPC_PROTOBUF_H

/* The protobuf-c runtime, the arena allocator, and the protoc-c output of the
 * RPC envelope's own messages (proto/teams/rpc/). Knows no team. */
#include <protobuf-c/protobuf-c.h>
#include "rpc_arena.h"
#include "generated/teams/rpc/v1/metadata.pb-c.h"
#include "generated/descriptors.h"

#endif
