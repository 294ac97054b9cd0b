#ifndef TEAMS_ARENA_H
#define TEAMS_ARENA_H

#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

/// A bump allocator for one message's lifetime.
///
/// `allocator` is a ProtobufCAllocator: pass it to protobuf_c_message_unpack and
/// every field of the unpacked message lands in the arena. Its free is a no-op;
/// teams_arena_release frees everything at once, so an unpacked message is never
/// freed field by field. Blocks beyond the inline storage come from malloc and are
/// released too. The arena must not move while in use (keep it on the stack).
typedef struct TeamsArena {
    ProtobufCAllocator allocator;
    uint8_t *cursor;
    uint8_t *end;
    void *overflow; /* singly linked list of malloc'd blocks */
    _Alignas(16) uint8_t storage[4096];
} TeamsArena;

void teams_arena_init(TeamsArena *arena);

/// Returns 8-byte aligned memory that lives until teams_arena_release, or NULL when malloc fails.
void *teams_arena_alloc(TeamsArena *arena, size_t size);

/// Frees every block; the arena may be initialised again afterwards.
void teams_arena_release(TeamsArena *arena);

#endif
