#ifndef RPC_ARENA_H
#define RPC_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

/// A bump allocator for one message's lifetime, with a cap on what it hands out.
///
/// `allocator` is a ProtobufCAllocator: pass it to protobuf_c_message_unpack and
/// every field of the unpacked message lands in the arena. Its free is a no-op;
/// rpc_arena_release frees everything at once, so an unpacked message is never
/// freed field by field. Blocks beyond the inline storage come from malloc and are
/// released too. The arena must not move while in use (keep it on the stack).
///
/// Once `limit` bytes have been handed out, or malloc fails, every later request
/// returns NULL and `exhausted` is set, so a small input that unpacks into a huge
/// message fails cleanly instead of taking the process's memory.
typedef struct RPCArena {
    ProtobufCAllocator allocator;
    uint8_t *cursor;
    uint8_t *end;
    void *overflow; /* singly linked list of malloc'd blocks */
    size_t used;
    size_t limit;
    int exhausted;
    _Alignas(16) uint8_t storage[4096];
} RPCArena;

void rpc_arena_init(RPCArena *arena, size_t limit);

/// Returns 8-byte aligned memory that lives until rpc_arena_release, or NULL
/// (and sets `exhausted`) past the limit or when malloc fails.
void *rpc_arena_alloc(RPCArena *arena, size_t size);

/// Frees every block; the arena may be initialised again afterwards.
void rpc_arena_release(RPCArena *arena);

#endif
