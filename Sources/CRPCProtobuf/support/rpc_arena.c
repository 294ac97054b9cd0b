#include "rpc_arena.h"
#include <stdlib.h>

typedef struct OverflowBlock {
    struct OverflowBlock *next;
    _Alignas(16) uint8_t bytes[];
} OverflowBlock;

static void *arena_alloc(void *data, size_t size) { return rpc_arena_alloc((RPCArena *)data, size); }
static void arena_free(void *data, void *pointer) { (void)data; (void)pointer; }

void rpc_arena_init(RPCArena *arena, size_t limit) {
    arena->allocator.alloc = arena_alloc;
    arena->allocator.free = arena_free;
    arena->allocator.allocator_data = arena;
    arena->cursor = arena->storage;
    arena->end = arena->storage + sizeof(arena->storage);
    arena->overflow = NULL;
    arena->used = 0;
    arena->limit = limit;
    arena->exhausted = 0;
}

static void *exhausted(RPCArena *arena) {
    arena->exhausted = 1;
    return NULL;
}

void *rpc_arena_alloc(RPCArena *arena, size_t size) {
    size_t rounded = (size + 7u) & ~(size_t)7u;
    if (rounded < size) return exhausted(arena); /* overflowed */
    if (rounded > arena->limit - arena->used || arena->used > arena->limit) return exhausted(arena);
    arena->used += rounded;
    if ((size_t)(arena->end - arena->cursor) >= rounded) {
        void *result = arena->cursor;
        arena->cursor += rounded;
        return result;
    }
    /* Continue in a new block, at least as large as the inline storage. */
    size_t capacity = rounded > sizeof(arena->storage) ? rounded : sizeof(arena->storage);
    if (capacity > SIZE_MAX - sizeof(OverflowBlock)) return exhausted(arena);
    OverflowBlock *block = malloc(sizeof(OverflowBlock) + capacity);
    if (block == NULL) return exhausted(arena);
    block->next = arena->overflow;
    arena->overflow = block;
    arena->cursor = block->bytes + rounded;
    arena->end = block->bytes + capacity;
    return block->bytes;
}

void rpc_arena_release(RPCArena *arena) {
    OverflowBlock *block = arena->overflow;
    while (block != NULL) {
        OverflowBlock *next = block->next;
        free(block);
        block = next;
    }
    arena->overflow = NULL;
    arena->cursor = arena->storage;
    arena->end = arena->storage + sizeof(arena->storage);
    arena->used = 0;
    arena->exhausted = 0;
}
